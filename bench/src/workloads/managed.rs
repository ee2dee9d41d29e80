//! Ten processes each add 1 000 to one managed number: the course's manager
//! (proxy + manager lock, and the atomic server-side update), atomics in
//! shared memory, and `Manager().dict()` + `Manager().Lock()`.
//!
//! Starting the manager (or mapping the memory) is set-up, outside the time;
//! the time covers forking the workers, their increments and joining them.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, munmap};

use shared_memory::manager::{Manager, Proxy, Value};

use crate::model::{Leg, Sample, Size, Target, Workload};
use crate::sys;
use crate::workloads::spawn::pick;

pub fn workload() -> Workload {
    Workload {
        id: "managed",
        title: "10 processes each adding n under a lock to one managed number",
        unit: "increment",
        target: Target::Rate { min: 50_000.0 },
        size: |profile| Size {
            n: pick(profile, 300, 1_000),
            workers: 10,
        },
        python_size: |profile| Size {
            n: pick(profile, 100, 300),
            workers: 10,
        },
        expect: |size| size.n * size.workers,
        legs: vec![
            Leg::reference("locked", "course Proxy: lock, get, set", locked_leg),
            Leg::reference("atomic-update", "course Proxy: add (server-side)", add_leg),
            Leg::floor("shm-atomic", "atomics in MAP_SHARED memory", shm_floor),
            Leg::python(
                "python",
                "Manager().dict() + Manager().Lock()",
                "managed.py",
            ),
        ],
    }
}

/// Starts a manager with `"n"` at 0 (set-up, outside the time), then times
/// `workers` processes each running `increment` `n` times on a proxy of
/// their own (connected in the child, as Python's proxies are).
fn through_manager(
    size: Size,
    increment: fn(&Proxy) -> std::io::Result<()>,
) -> Result<Sample, String> {
    let socket = std::env::temp_dir().join(format!("forklings-bench-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let manager = Manager::start(&socket).map_err(|e| format!("manager: {e}"))?;
    let proxy = manager.proxy().map_err(|e| format!("proxy: {e}"))?;
    proxy
        .set("n", Value::from(0))
        .map_err(|e| format!("set: {e}"))?;
    let start = Instant::now();
    let mut children = Vec::new();
    for _ in 0..size.workers {
        let mine = proxy.clone();
        children.push(sys::spawn_child(move || {
            for _ in 0..size.n {
                if increment(&mine).is_err() {
                    return 1;
                }
            }
            0
        })?);
    }
    for child in children {
        sys::wait_ok(child)?;
    }
    let elapsed_s = start.elapsed().as_secs_f64();
    let total = proxy.get("n").map_err(|e| format!("get: {e}"))?;
    drop(proxy);
    drop(manager);
    let total = total.and_then(|v| v.as_u64()).ok_or("no number at n")?;
    Ok(Sample {
        elapsed_s,
        ops: size.n * size.workers,
        check: total,
    })
}

/// Python's `with lock: d["n"] = d["n"] + 1`: four requests (lock, get, set,
/// unlock).
fn locked_leg(size: Size) -> Result<Sample, String> {
    through_manager(size, |proxy| {
        let _held = proxy.lock()?;
        let n = proxy.get("n")?.and_then(|v| v.as_i64()).unwrap_or(0);
        proxy.set("n", Value::from(n + 1))
    })
}

/// The atomic update on the server: one request, no lock.
fn add_leg(size: Size) -> Result<Sample, String> {
    through_manager(size, |proxy| proxy.add("n", 1).map(drop))
}

/// One `AtomicU64` in an anonymous shared map, `fetch_add` from every child.
fn shm_floor(size: Size) -> Result<Sample, String> {
    let len = NonZeroUsize::new(4096).expect("a page");
    // SAFETY: a fresh anonymous mapping, unmapped below after every child
    // that uses it has been reaped.
    let map = unsafe {
        mmap_anonymous(
            None,
            len,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
        )
    }
    .map_err(|e| format!("mmap: {e}"))?;
    // SAFETY: the map is zeroed, page-aligned and big enough for one
    // AtomicU64; parent and children only touch it through atomics.
    let counter: &AtomicU64 = unsafe { map.cast::<AtomicU64>().as_ref() };
    let start = Instant::now();
    let mut children = Vec::new();
    for _ in 0..size.workers {
        children.push(sys::spawn_child(|| {
            for _ in 0..size.n {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            0
        })?);
    }
    for child in children {
        sys::wait_ok(child)?;
    }
    let elapsed_s = start.elapsed().as_secs_f64();
    let total = counter.load(Ordering::Relaxed);
    // SAFETY: every child is gone; nothing refers to the map any more.
    unsafe { munmap(map, len.get()) }.map_err(|e| format!("munmap: {e}"))?;
    Ok(Sample {
        elapsed_s,
        ops: size.n * size.workers,
        check: total,
    })
}
