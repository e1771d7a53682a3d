//! The victim search every pool's idle thread runs when its own deque is empty: the
//! other slots' deques from a random victim, then the queues of jobs from outside,
//! again while a steal asked to retry. The heartbeat core (`core/search.rs`, for
//! `ThreadPool` and the guests of both heartbeat pools) and the continuation pool
//! (`continuation/search.rs`) both search this way; what differs is theirs: which
//! deques and queues, and what a steal counts.

use std::cell::Cell;

use crate::sync::{Injector, Steal, Stealer};

/// A thread's source of random victims (xorshift64*), seeded from its slot index so
/// that the threads of a pool start at different victims.
pub(crate) struct VictimRng(Cell<u64>);

impl VictimRng {
    /// The generator of slot `index`.
    pub(crate) fn for_slot(index: usize) -> Self {
        VictimRng(Cell::new(
            0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03),
        ))
    }

    /// The next random number.
    pub(crate) fn next(&self) -> u64 {
        let mut x = self.0.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A job the search found, and where.
pub(crate) enum Stolen<T> {
    /// From another slot's deque.
    Victim(T),
    /// From a queue of jobs from outside.
    Queue(T),
}

impl<T> Stolen<T> {
    /// The job, wherever it came from.
    pub(crate) fn into_job(self) -> T {
        match self {
            Stolen::Victim(job) | Stolen::Queue(job) => job,
        }
    }
}

/// Steals one job: from `victims` (the searching thread's own deque, `victims[me]`, is
/// skipped) starting at a random one, then from `injector`, then from `more_queues`;
/// repeats while a steal asked to retry. `None` once every deque and queue was empty.
pub(crate) fn steal_one<T>(
    victims: &[Stealer<T>],
    me: Option<usize>,
    injector: &Injector<T>,
    more_queues: &[Injector<T>],
    rng: &VictimRng,
) -> Option<Stolen<T>> {
    let n = victims.len();
    loop {
        let mut retry = false;
        let start = if n == 0 {
            0
        } else {
            (rng.next() % n as u64) as usize
        };
        for i in 0..n {
            let victim = (start + i) % n;
            if Some(victim) == me {
                continue;
            }
            match victims[victim].steal() {
                Steal::Success(job) => return Some(Stolen::Victim(job)),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
        }
        for queue in std::iter::once(injector).chain(more_queues) {
            match queue.steal() {
                Steal::Success(job) => return Some(Stolen::Queue(job)),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
        }
        if !retry {
            return None;
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::sync::Worker;

    #[test]
    fn steals_from_every_victim_but_itself_then_from_the_queues() {
        let deques: Vec<Worker<u32>> = (0..3).map(|_| Worker::new_lifo()).collect();
        let victims: Vec<Stealer<u32>> = deques.iter().map(Worker::stealer).collect();
        let (injector, more) = (Injector::new(), [Injector::new()]);
        let rng = VictimRng::for_slot(1);
        deques[1].push(10);
        deques[2].push(20);
        deques[0].push(30);
        injector.push(40);
        more[0].push(50);
        let steal = || steal_one(&victims, Some(1), &injector, &more, &rng);
        let mut from_victims: Vec<u32> = (0..2)
            .map(|_| match steal() {
                Some(Stolen::Victim(job)) => job,
                _ => panic!("a victim's deque holds a job"),
            })
            .collect();
        from_victims.sort_unstable();
        // The searcher's own deque (slot 1) is never stolen from.
        assert_eq!(from_victims, [20, 30]);
        assert_eq!(deques[1].pop(), Some(10));
        // Then the queues, the injector first.
        assert!(matches!(steal(), Some(Stolen::Queue(40))));
        assert!(matches!(steal(), Some(Stolen::Queue(50))));
        assert!(steal().is_none());
    }
}
