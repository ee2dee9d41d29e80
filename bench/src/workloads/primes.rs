//! Count the primes below 2 000 000 with one worker per core: the course's
//! process pool, rayon, and `multiprocessing.Pool.map`.
//!
//! Every leg tests each number with the same trial division, so the legs
//! differ only in how they spread the numbers over the cores.

use std::sync::OnceLock;
use std::time::Instant;

use rayon::prelude::*;

use processes::pool::Pool;

use crate::model::{Leg, Profile, Sample, Size, Target, Workload};

pub fn workload() -> Workload {
    Workload {
        id: "primes",
        title: "count primes below n, one worker per core",
        unit: "number",
        target: Target::Ratio { max: 1.3 },
        size,
        python_size: size,
        expect: |size| sieve_count(size.n),
        legs: vec![
            Leg::reference("pool", "course Pool.map over 8 chunks a worker", pool_leg),
            Leg::floor("rayon", "rayon par_iter", rayon_floor),
            Leg::python("python", "multiprocessing.Pool.map", "primes.py"),
        ],
    }
}

fn size(profile: Profile) -> Size {
    let n = match profile {
        Profile::Quick => 500_000,
        Profile::Full => 2_000_000,
    };
    Size {
        n,
        workers: cores(),
    }
}

pub fn cores() -> u64 {
    std::thread::available_parallelism().map_or(2, |n| n.get() as u64)
}

/// Trial division by 2 and then by odd numbers up to the square root: the
/// same test in every leg, the Python one included.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// The answer key, by a sieve (not by the code under test).
fn sieve_count(n: u64) -> u64 {
    let n = n as usize;
    if n < 3 {
        return 0;
    }
    let mut composite = vec![false; n];
    let mut count = 0;
    for i in 2..n {
        if !composite[i] {
            count += 1;
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
            }
        }
    }
    count
}

/// rayon's work-stealing pool, one thread per worker, built once outside the
/// time (its threads outlive a call, as rayon's global pool would).
fn rayon_floor(size: Size) -> Result<Sample, String> {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(size.workers as usize)
            .build()
            .expect("a rayon pool")
    });
    let start = Instant::now();
    let count = pool.install(|| (0..size.n).into_par_iter().filter(|&k| is_prime(k)).count());
    Ok(Sample {
        elapsed_s: start.elapsed().as_secs_f64(),
        ops: size.n,
        check: count as u64,
    })
}

/// How many pieces the numbers are cut into for each worker: enough that a
/// worker which drew the cheap low numbers takes another piece while the
/// other finishes, few enough that messages cost nothing next to the work.
const CHUNKS_PER_WORKER: u64 = 8;

/// The numbers `0..n` as `pieces` consecutive ranges.
pub fn chunks(n: u64, pieces: u64) -> Vec<(u64, u64)> {
    let step = n.div_ceil(pieces).max(1);
    (0..n)
        .step_by(step as usize)
        .map(|lo| (lo, (lo + step).min(n)))
        .collect()
}

/// The job every pool worker runs: one message in, one count out.
fn count_range((lo, hi): (u64, u64)) -> u64 {
    (lo..hi).filter(|&k| is_prime(k)).count() as u64
}

/// The course's process pool, started outside the time like rayon's; `map`
/// sends each worker ranges of numbers, not one message per number.
fn pool_leg(size: Size) -> Result<Sample, String> {
    let pool = Pool::new(size.workers as usize, count_range).map_err(|e| format!("pool: {e}"))?;
    let pieces = chunks(size.n, size.workers * CHUNKS_PER_WORKER);
    let start = Instant::now();
    let counts = pool.map(pieces).map_err(|e| format!("map: {e}"))?;
    let elapsed_s = start.elapsed().as_secs_f64();
    pool.close();
    pool.join().map_err(|e| format!("join: {e}"))?;
    Ok(Sample {
        elapsed_s,
        ops: size.n,
        check: counts.iter().sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_division_agrees_with_the_sieve() {
        let by_division = (0..10_000).filter(|&k| is_prime(k)).count() as u64;
        assert_eq!(by_division, sieve_count(10_000));
        assert_eq!(sieve_count(2_000_000), 148_933);
    }

    #[test]
    fn chunks_cover_every_number_once() {
        assert_eq!(chunks(10, 3), [(0, 4), (4, 8), (8, 10)]);
        assert_eq!(chunks(2, 16), [(0, 1), (1, 2)]);
        let total: u64 = chunks(2_000_000, 16).iter().map(|(lo, hi)| hi - lo).sum();
        assert_eq!(total, 2_000_000);
    }
}
