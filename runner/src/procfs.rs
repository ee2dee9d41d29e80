//! The one reader of `/proc`: a process's state, parent, group, session,
//! start time and resident memory, the live processes below a process, and
//! a field of `/proc/PID/status`. The supervisor counts and kills with it,
//! the runner sweeps orphans with it, and the runner's tests look for
//! leftovers with it.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;

/// What `/proc/PID/stat` says of one process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub pid: i32,
    /// `R`, `S`, `D`, `Z`, ...
    pub state: char,
    pub ppid: i32,
    pub pgrp: i32,
    pub session: i32,
    pub threads: i64,
    /// Clock ticks after boot.
    pub start_time: u64,
    /// Resident pages.
    pub rss_pages: i64,
}

impl Stat {
    /// A zombie (or a process on its way out) holds nothing any more.
    pub fn is_dead(&self) -> bool {
        matches!(self.state, 'Z' | 'X' | 'x')
    }

    pub fn rss_bytes(&self) -> u64 {
        self.rss_pages.max(0) as u64 * page_size()
    }
}

/// Parses the text of `/proc/PID/stat`.
pub fn parse_stat(pid: i32, text: &str) -> Option<Stat> {
    // The command name is in parentheses and may hold anything, spaces and
    // parentheses included: the fields start after the last ')'.
    let rest: Vec<&str> = text[text.rfind(')')? + 1..].split_whitespace().collect();
    // Fields 3 onwards of proc(5): state, ppid, pgrp, session, ... threads
    // (20), ... starttime (22), vsize (23), rss (24).
    Some(Stat {
        pid,
        state: rest.first()?.chars().next()?,
        ppid: rest.get(1)?.parse().ok()?,
        pgrp: rest.get(2)?.parse().ok()?,
        session: rest.get(3)?.parse().ok()?,
        threads: rest.get(17)?.parse().ok()?,
        start_time: rest.get(19)?.parse().ok()?,
        rss_pages: rest.get(21)?.parse().ok()?,
    })
}

pub fn stat(pid: i32) -> Option<Stat> {
    parse_stat(pid, &fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// Every process `/proc` shows (as it shows them at the moment).
pub fn processes() -> Vec<Stat> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(stat)
        .collect()
}

/// Every live (not zombie) process below `root`, found through the parent
/// links of one reading of `/proc`; zombies are walked through, not listed.
pub fn descendants(root: i32) -> Vec<Stat> {
    let mut children: HashMap<i32, Vec<Stat>> = HashMap::new();
    for p in processes() {
        children.entry(p.ppid).or_default().push(p);
    }
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(pid) = stack.pop() {
        for child in children.remove(&pid).unwrap_or_default() {
            stack.push(child.pid);
            if !child.is_dead() {
                found.push(child);
            }
        }
    }
    found
}

/// True while a process exists and is not a zombie.
pub fn alive(pid: i32) -> bool {
    stat(pid).is_some_and(|s| !s.is_dead())
}

/// The program a process runs (`/proc/PID/exe`), if it may be read.
pub fn exe(pid: i32) -> Option<PathBuf> {
    fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// The command line of a process, its arguments joined by spaces.
pub fn cmdline(pid: i32) -> Option<String> {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let words: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// One thread of a process (`/proc/PID/task/TID`): its name, state and the
/// CPU time it used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub tid: i32,
    /// The thread's name (`comm`): what `thread::Builder::name` set, cut
    /// at 15 bytes.
    pub name: String,
    pub state: char,
    /// User and system time, in clock ticks.
    pub cpu_ticks: u64,
}

/// Parses `/proc/PID/task/TID/stat`.
pub fn parse_task(tid: i32, text: &str) -> Option<Task> {
    let name = &text[text.find('(')? + 1..text.rfind(')')?];
    let rest: Vec<&str> = text[text.rfind(')')? + 1..].split_whitespace().collect();
    // utime (14) and stime (15) of proc(5).
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some(Task {
        tid,
        name: name.to_string(),
        state: rest.first()?.chars().next()?,
        cpu_ticks: utime + stime,
    })
}

/// Every thread of a process, as `/proc` shows them at the moment.
pub fn tasks(pid: i32) -> Vec<Task> {
    let Ok(dir) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut found: Vec<Task> = dir
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|tid| {
            let text = fs::read_to_string(format!("/proc/{pid}/task/{tid}/stat")).ok()?;
            parse_task(tid, &text)
        })
        .collect();
    found.sort_by_key(|t| t.tid);
    found
}

/// The system call a thread is blocked in (the number
/// `/proc/PID/task/TID/syscall` starts with), if it is in one and this
/// process may look.
pub fn blocking_syscall(pid: i32, tid: i32) -> Option<i64> {
    let text = fs::read_to_string(format!("/proc/{pid}/task/{tid}/syscall")).ok()?;
    text.split_whitespace()
        .next()?
        .parse()
        .ok()
        .filter(|&n| n >= 0)
}

/// The clock ticks per second the CPU times of `/proc` are counted in.
pub fn ticks_per_second() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .map_or(100, |t| t.max(1) as u64)
}

/// A `kB` field of `/proc/self/status` (`VmHWM`, `VmRSS`, ...), in KiB.
pub fn own_status_kib(field: &str) -> Option<u64> {
    let text = fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// This process's peak resident memory (VmHWM), in KiB.
pub fn max_rss_kib() -> u64 {
    own_status_kib("VmHWM").unwrap_or(0)
}

pub fn page_size() -> u64 {
    static SIZE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SIZE.get_or_init(|| {
        nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
            .ok()
            .flatten()
            .map_or(4096, |s| s as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_with_parentheses_and_spaces_is_skipped() {
        let line = "42 (a) b (c)) S 7 42 40 0 -1 4194304 100 0 0 0 1 2 0 0 20 0 3 0 12345 1000000 250 18446744073709551615";
        let s = parse_stat(42, line).unwrap();
        assert_eq!((s.state, s.ppid, s.pgrp, s.session), ('S', 7, 42, 40));
        assert_eq!((s.threads, s.start_time, s.rss_pages), (3, 12345, 250));
    }

    #[test]
    fn a_thread_reads_with_its_name_state_and_time() {
        let line = "7 (fork_wait::a b) R 1 7 7 0 -1 0 0 0 0 0 30 12 0 0 20 0 2 0 99 0 0";
        assert_eq!(
            parse_task(7, line),
            Some(Task {
                tid: 7,
                name: "fork_wait::a b".into(),
                state: 'R',
                cpu_ticks: 42
            })
        );
        let me = std::process::id() as i32;
        assert!(tasks(me).iter().any(|t| t.tid == me));
        assert!(cmdline(me).is_some());
    }

    #[test]
    fn this_process_is_found_below_its_parent() {
        let me = std::process::id() as i32;
        let parent = stat(me).unwrap().ppid;
        assert!(descendants(parent).iter().any(|s| s.pid == me));
        assert!(alive(me));
        assert!(max_rss_kib() > 0);
    }
}
