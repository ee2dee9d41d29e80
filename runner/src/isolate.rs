//! Isolation the kernel enforces: fresh user, PID, mount and network
//! namespaces for a test (and for the build of a grading copy).
//!
//! The supervisor (single-threaded, a fresh exec of the runner) enters a new
//! user namespace, maps its own user to an ordinary user inside (not root:
//! the test then runs without capabilities and cannot undo what is set up
//! here), enters a new network namespace and asks for a new PID namespace
//! for its next child. That child is the namespace's first process, its
//! init ([`set_up_init`]): it takes a mount namespace of its own, makes the
//! whole file system read-only but the paths a run may write (the target dir
//! of a build), gives `/tmp` and `/dev/shm` fresh small `tmpfs`es, mounts a
//! `/proc` that shows the namespace's processes only, and brings up the
//! loopback interface. When the init ends, the kernel kills every process
//! left in the namespace: nothing a test starts outlives it, however it
//! detaches itself.
//!
//! Where the kernel refuses (no user namespaces in a container, say), the
//! supervisor falls back to a process group, a subreaper and a sweep of
//! `/proc`; [`probe`] finds out once per run which of the two applies, and
//! the report says which one a grade ran under.

use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, unshare};
use serde::{Deserialize, Serialize};

/// What a run may touch, when it runs in namespaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Everything read-only but `writable`, `/tmp` and `/dev/shm`.
    pub read_only: bool,
    /// Paths left writable (a build's target dir, cargo's home).
    #[serde(default)]
    pub writable: Vec<PathBuf>,
    /// A network namespace of its own, with only a loopback interface.
    pub private_network: bool,
    /// Fresh `tmpfs`es on `/tmp` and `/dev/shm`.
    pub private_tmp: bool,
    /// The holder of the run's user and network namespaces ([`holder`]):
    /// joined instead of made anew (a network namespace takes a tenth of a
    /// second to make and to tear down; one per run is enough to keep the
    /// tests off the machine's network).
    #[serde(default)]
    pub holder: Option<i32>,
    /// Paths that must stay in view though they lie below `/tmp` (the
    /// course and its target dir, when an instructor keeps them there):
    /// moved onto the fresh `tmpfs` at the same place.
    #[serde(default)]
    pub keep: Vec<PathBuf>,
}

impl Plan {
    /// A graded test: nothing of the machine writable, a private loopback.
    pub fn test() -> Plan {
        Plan {
            read_only: true,
            writable: Vec::new(),
            private_network: true,
            private_tmp: true,
            holder: None,
            keep: Vec::new(),
        }
    }
}

/// How the tests of a run were isolated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Isolation {
    /// Fresh user, PID, mount and network namespaces per test.
    Namespaces,
    /// A process group, the supervisor as subreaper, a sweep of `/proc`.
    ProcessSweep { why: String },
}

impl Isolation {
    pub fn words(&self) -> String {
        match self {
            Isolation::Namespaces => {
                "kernel namespaces (PID, mount, network): the file system read-only, a private loopback"
                    .into()
            }
            Isolation::ProcessSweep { why } => {
                format!("a process group and a sweep of /proc (namespaces refused: {why})")
            }
        }
    }
}

/// Set to `sweep` to grade without namespaces (the fallback), whatever the
/// machine allows.
pub const ISOLATION_ENV: &str = "FORKLINGS_ISOLATION";

/// The user (and group) a test runs as inside its namespace: an ordinary
/// one, so the test has no capabilities there.
const INNER_ID: u32 = 1000;
const TMP_SIZE: &str = "size=512m,mode=1777";
const SHM_SIZE: &str = "size=256m,mode=1777";

/// Which isolation this machine gives, found once: a throwaway supervisor
/// sets up the namespaces of a test and reports.
pub fn probe() -> &'static Isolation {
    static FOUND: OnceLock<Isolation> = OnceLock::new();
    FOUND.get_or_init(|| {
        if std::env::var(ISOLATION_ENV).is_ok_and(|v| v == "sweep") {
            return Isolation::ProcessSweep {
                why: format!("{ISOLATION_ENV}=sweep"),
            };
        }
        let out = std::process::Command::new("/proc/self/exe")
            .arg("__isolation-probe")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .output();
        match out {
            Ok(out) if out.status.success() => Isolation::Namespaces,
            Ok(out) => Isolation::ProcessSweep {
                why: String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("the probe failed")
                    .trim()
                    .to_string(),
            },
            Err(e) => Isolation::ProcessSweep {
                why: format!("the probe could not start: {e}"),
            },
        }
    })
}

/// The hidden `course __isolation-probe`: sets up a test's namespaces and
/// runs `true` in them. Exit code 0 when all of it worked; the reason on
/// stderr otherwise.
pub fn probe_main() -> i32 {
    let plan = Plan::test();
    if let Err(e) = enter(&plan) {
        eprintln!("{e}");
        return 1;
    }
    // SAFETY: this process is single-threaded (a fresh exec that started
    // no thread), so the child may run any code.
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => {
            let code = match set_up_init(&plan) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("{e}");
                    1
                }
            };
            // SAFETY: _exit ends the child without running the parent's
            // clean-up a second time.
            unsafe { libc::_exit(code) }
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            match nix::sys::wait::waitpid(child, None) {
                Ok(nix::sys::wait::WaitStatus::Exited(_, 0)) => 0,
                other => {
                    eprintln!("the namespace's first process failed: {other:?}");
                    1
                }
            }
        }
        Err(e) => {
            eprintln!("fork: {e}");
            1
        }
    }
}

/// In the supervisor (which must be single-threaded): a new user namespace
/// with this user mapped to an ordinary one, a new network namespace when
/// the plan wants one (or the holder's two), and a new PID namespace for
/// the next child.
pub fn enter(plan: &Plan) -> Result<(), String> {
    match plan.holder {
        Some(pid) if plan.private_network => join(pid)?,
        _ => make_user_and_network(plan.private_network)?,
    }
    unshare(CloneFlags::CLONE_NEWPID).map_err(|e| format!("unshare(pid): {e}"))?;
    Ok(())
}

/// Joins the user and network namespaces of the holder `pid`.
fn join(pid: i32) -> Result<(), String> {
    for (ns, flag) in [
        ("user", CloneFlags::CLONE_NEWUSER),
        ("net", CloneFlags::CLONE_NEWNET),
    ] {
        let file = std::fs::File::open(format!("/proc/{pid}/ns/{ns}"))
            .map_err(|e| format!("the namespace holder's {ns} namespace: {e}"))?;
        nix::sched::setns(file, flag).map_err(|e| format!("setns({ns}): {e}"))?;
    }
    Ok(())
}

fn make_user_and_network(network: bool) -> Result<(), String> {
    let uid = nix::unistd::geteuid().as_raw();
    let gid = nix::unistd::getegid().as_raw();
    let mut flags = CloneFlags::CLONE_NEWUSER;
    if network {
        flags |= CloneFlags::CLONE_NEWNET;
    }
    unshare(flags).map_err(|e| format!("unshare(user, network): {e}"))?;
    let write = |file: &str, text: String| {
        std::fs::write(format!("/proc/self/{file}"), text)
            .map_err(|e| format!("writing /proc/self/{file}: {e}"))
    };
    write("setgroups", "deny".into())?;
    write("uid_map", format!("{INNER_ID} {uid} 1\n"))?;
    write("gid_map", format!("{INNER_ID} {gid} 1\n"))?;
    if network {
        loopback_up()?;
    }
    Ok(())
}

/// The process holding this run's user and network namespaces, started
/// once (none where namespaces are refused, or if it cannot start). It
/// lives until the runner ends: it leaves when its stdin reaches end of
/// file, and dies with the runner.
pub fn holder() -> Option<i32> {
    static HOLDER: OnceLock<Option<i32>> = OnceLock::new();
    *HOLDER.get_or_init(|| {
        if *probe() != Isolation::Namespaces {
            return None;
        }
        let mut cmd = std::process::Command::new("/proc/self/exe");
        cmd.arg("__namespace-holder")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = crate::reaper::spawn(&mut cmd).ok()?;
        let mut ready = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take()?),
            &mut ready,
        )
        .ok()?;
        if ready.trim() != "ready" {
            return None;
        }
        let pid = child.id() as i32;
        // Its stdin stays open for the runner's life; never waited for.
        std::mem::forget(child);
        Some(pid)
    })
}

/// The hidden `course __namespace-holder`: makes the user and network
/// namespaces, says `ready`, and waits for its stdin to end.
pub fn holder_main() -> i32 {
    // SAFETY: prctl with integer arguments.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
    }
    if let Err(e) = make_user_and_network(true) {
        eprintln!("{e}");
        return 1;
    }
    println!("ready");
    let mut sink = Vec::new();
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    0
}

/// In the namespace's first process: its own mount namespace set up by the
/// plan, and the loopback interface up.
pub fn set_up_init(plan: &Plan) -> Result<(), String> {
    unshare(CloneFlags::CLONE_NEWNS).map_err(|e| format!("unshare(mount): {e}"))?;
    // Nothing done below reaches the mounts outside.
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|e| format!("making / private: {e}"))?;
    // Mounts of their own first, so they can be made writable again once
    // everything is read-only.
    for path in &plan.writable {
        mount(
            Some(path.as_path()),
            path.as_path(),
            None::<&str>,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            None::<&str>,
        )
        .map_err(|e| format!("binding {}: {e}", path.display()))?;
    }
    if plan.read_only {
        set_read_only(Path::new("/"), true)?;
        for path in &plan.writable {
            set_read_only(path, false)?;
        }
    }
    if plan.private_tmp {
        for (dir, options) in [("/tmp", TMP_SIZE), ("/dev/shm", SHM_SIZE)] {
            let dir = Path::new(dir);
            if !dir.is_dir() {
                continue;
            }
            // What must stay in view below it, taken along first.
            let below: Vec<(PathBuf, OwnedFd)> = outermost(&plan.keep, &plan.writable)
                .into_iter()
                .filter(|p| p.starts_with(dir) && p != dir)
                .map(|p| clone_tree(&p).map(|fd| (p, fd)))
                .collect::<Result<_, _>>()?;
            fresh_tmpfs(dir, options)?;
            for (path, tree) in below {
                std::fs::create_dir_all(&path)
                    .map_err(|e| format!("making {} on the new tmpfs: {e}", path.display()))?;
                attach_tree(tree, &path)?;
            }
        }
    }
    mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .map_err(|e| format!("mounting /proc: {e}"))?;
    ordinary_pids();
    Ok(())
}

/// PIDs in a new namespace count from 1, and a PID of 2 or 3 in a test's
/// text is easily mistaken for another number (the course's redactor
/// replaces a PID wherever it occurs): the namespace's PIDs start at a
/// random point in the upper half of the range instead, as they would on a
/// machine that has been up a while. Best effort.
fn ordinary_pids() {
    let max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(32768);
    let mut random = [0u8; 4];
    let _ = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut random));
    let low = max / 4;
    let start = low + u32::from_le_bytes(random) % (max / 4).max(1);
    let _ = std::fs::write("/proc/sys/kernel/ns_last_pid", start.to_string());
}

/// In the test process, just before exec: no gaining privileges back
/// through a set-user-ID program.
pub fn before_exec() -> std::io::Result<()> {
    // SAFETY: prctl with integer arguments; async-signal-safe.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// The paths of `a` and `b` that are not below another one of them.
fn outermost(a: &[PathBuf], b: &[PathBuf]) -> Vec<PathBuf> {
    let all: Vec<&PathBuf> = a.iter().chain(b).collect();
    let mut kept: Vec<PathBuf> = Vec::new();
    for p in &all {
        let inside_another = all.iter().any(|q| q != p && p.starts_with(q));
        if !inside_another && !kept.contains(p) {
            kept.push((*p).clone());
        }
    }
    kept
}

const OPEN_TREE_CLONE: libc::c_uint = 1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 0x4;

/// A detached copy of the mounts at and below `path` (open_tree(2)).
fn clone_tree(path: &Path) -> Result<OwnedFd, String> {
    let c_path = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| format!("{} holds a NUL", path.display()))?;
    // SAFETY: a valid NUL-terminated path; the result is a new descriptor
    // or -1.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_open_tree,
            libc::AT_FDCWD,
            c_path.as_ptr(),
            OPEN_TREE_CLONE | libc::O_CLOEXEC as libc::c_uint | AT_RECURSIVE,
        )
    };
    if fd < 0 {
        return Err(format!(
            "keeping {} in view: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: the descriptor was just returned by the kernel and is ours.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// Attaches a tree from [`clone_tree`] at `path` (move_mount(2)).
fn attach_tree(tree: OwnedFd, path: &Path) -> Result<(), String> {
    let c_path = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| format!("{} holds a NUL", path.display()))?;
    // SAFETY: a descriptor of ours, an empty path string as the flag asks,
    // and a valid NUL-terminated target path.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            tree.as_raw_fd(),
            c"".as_ptr(),
            libc::AT_FDCWD,
            c_path.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    if rc != 0 {
        return Err(format!(
            "putting {} back in view: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

fn fresh_tmpfs(at: &Path, options: &str) -> Result<(), String> {
    mount(
        Some("tmpfs"),
        at,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(options),
    )
    .map_err(|e| format!("a tmpfs on {}: {e}", at.display()))
}

/// `struct mount_attr` of mount_setattr(2).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

const MOUNT_ATTR_RDONLY: u64 = 0x1;
const AT_RECURSIVE: libc::c_uint = 0x8000;

/// The mount at `path` and every mount below it read-only (or writable).
fn set_read_only(path: &Path, read_only: bool) -> Result<(), String> {
    let c_path = CString::new(path.as_os_str().as_encoded_bytes())
        .map_err(|_| format!("{} holds a NUL", path.display()))?;
    let attr = MountAttr {
        attr_set: if read_only { MOUNT_ATTR_RDONLY } else { 0 },
        attr_clr: if read_only { 0 } else { MOUNT_ATTR_RDONLY },
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: a valid NUL-terminated path and a mount_attr of the size
    // passed; the kernel only reads them.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            libc::AT_FDCWD,
            c_path.as_ptr(),
            AT_RECURSIVE,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    if rc != 0 {
        return Err(format!(
            "making {} {}: {}",
            path.display(),
            if read_only { "read-only" } else { "writable" },
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// `struct ifreq` with the flags member of its union.
#[repr(C)]
struct IfReqFlags {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _rest: [u8; 22],
}

/// `ip link set lo up`: chapters talk to themselves over loopback TCP.
fn loopback_up() -> Result<(), String> {
    let err = |what: &str| {
        format!(
            "bringing up lo ({what}): {}",
            std::io::Error::last_os_error()
        )
    };
    // SAFETY: a plain socket call.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(err("socket"));
    }
    let mut req = IfReqFlags {
        name: [0; libc::IFNAMSIZ],
        flags: 0,
        _rest: [0; 22],
    };
    req.name[..2].copy_from_slice(b"lo");
    // SAFETY: `req` is a valid ifreq for both requests, and `fd` is the
    // socket opened above, closed before returning.
    let result = unsafe {
        if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) != 0 {
            Err(err("SIOCGIFFLAGS"))
        } else {
            req.flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            if libc::ioctl(fd, libc::SIOCSIFFLAGS, &req) != 0 {
                Err(err("SIOCSIFFLAGS"))
            } else {
                Ok(())
            }
        }
    };
    // SAFETY: closing the socket this function opened.
    unsafe { libc::close(fd) };
    result
}
