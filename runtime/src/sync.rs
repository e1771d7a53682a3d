//! The one place the runtime takes its synchronisation primitives from.
//!
//! Under `cfg(loom)` every atomic, lock and condition variable comes from [`loom`] so the
//! executor's protocols can be model checked (see `exec/README.md`); otherwise they are the
//! `std` types. The shared deques follow the same rule: crossbeam-deque normally, a
//! mutex-protected `VecDeque` with the same API under loom (crossbeam's own algorithm is
//! checked by crossbeam; our model checks how *we* hand jobs through a deque).
//!
//! The coordinator's bounded record queues likewise: crossbeam-queue's `ArrayQueue`
//! normally, a mutex-protected bounded `VecDeque` under loom. Its frame [`Barrier`] is
//! our own, on this module's `Mutex` and `Condvar` (loom's `Barrier` is an unimplemented
//! stub), so the barrier loom checks is the one the coordinator runs.
//!
//! Import atomics, `Mutex`, `Condvar`, `Barrier`, the deque and queue types only from
//! here, and `Arc` where a model checks who frees what (`LockLatch`'s state).

#[cfg(not(loom))]
pub(crate) use std::sync::{atomic, Arc, Condvar, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::{atomic, Arc, Condvar, Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use crossbeam_deque::{Injector, Steal, Stealer, Worker};

#[cfg(loom)]
pub(crate) use self::loom_deque::{Injector, Steal, Stealer, Worker};

#[cfg(not(loom))]
pub(crate) use crossbeam_queue::ArrayQueue;

#[cfg(loom)]
pub(crate) use self::loom_queue::ArrayQueue;

mod barrier;

pub(crate) use self::barrier::Barrier;

/// Locks `mutex`, ignoring poisoning: the executor never panics while it holds one of
/// its own locks, and user payloads stored behind a lock are plain data.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Locks `mutex` if no other thread holds it, ignoring poisoning as [`lock`] does;
/// `None` if it is held.
pub(crate) fn try_lock<T>(mutex: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    match mutex.try_lock() {
        Ok(guard) => Some(guard),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => None,
    }
}

/// Linearisable stand-ins for crossbeam-deque's `Worker`, `Stealer` and `Injector`,
/// built on loom's `Mutex` so that loom explores every interleaving of our hand-off.
#[cfg(loom)]
mod loom_deque {
    use loom::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    /// The outcome of a steal, as crossbeam's `Steal`.
    pub(crate) enum Steal<T> {
        Empty,
        Success(T),
        #[allow(dead_code)]
        Retry,
    }

    /// The owner's end of a LIFO deque.
    pub(crate) struct Worker<T> {
        queue: Arc<Mutex<VecDeque<T>>>,
    }

    impl<T> Worker<T> {
        pub(crate) fn new_lifo() -> Self {
            Worker {
                queue: Arc::new(Mutex::new(VecDeque::new())),
            }
        }
        pub(crate) fn push(&self, value: T) {
            super::lock(&self.queue).push_back(value);
        }
        pub(crate) fn pop(&self) -> Option<T> {
            super::lock(&self.queue).pop_back()
        }
        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer {
                queue: self.queue.clone(),
            }
        }
    }

    /// The thieves' end of a deque: takes the oldest job.
    pub(crate) struct Stealer<T> {
        queue: Arc<Mutex<VecDeque<T>>>,
    }

    impl<T> Stealer<T> {
        pub(crate) fn steal(&self) -> Steal<T> {
            match super::lock(&self.queue).pop_front() {
                Some(value) => Steal::Success(value),
                None => Steal::Empty,
            }
        }
        pub(crate) fn is_empty(&self) -> bool {
            super::lock(&self.queue).is_empty()
        }
    }

    /// A FIFO queue shared by every worker.
    pub(crate) struct Injector<T> {
        queue: Mutex<VecDeque<T>>,
    }

    impl<T> Injector<T> {
        pub(crate) fn new() -> Self {
            Injector {
                queue: Mutex::new(VecDeque::new()),
            }
        }
        pub(crate) fn push(&self, value: T) {
            super::lock(&self.queue).push_back(value);
        }
        pub(crate) fn steal(&self) -> Steal<T> {
            match super::lock(&self.queue).pop_front() {
                Some(value) => Steal::Success(value),
                None => Steal::Empty,
            }
        }
        pub(crate) fn is_empty(&self) -> bool {
            super::lock(&self.queue).is_empty()
        }
    }
}

/// A linearisable stand-in for crossbeam-queue's `ArrayQueue` (bounded, FIFO), built on
/// loom's `Mutex`.
#[cfg(loom)]
mod loom_queue {
    use loom::sync::Mutex;
    use std::collections::VecDeque;

    /// A bounded FIFO queue, as crossbeam's `ArrayQueue`.
    pub(crate) struct ArrayQueue<T> {
        queue: Mutex<VecDeque<T>>,
        capacity: usize,
    }

    impl<T> ArrayQueue<T> {
        pub(crate) fn new(capacity: usize) -> Self {
            assert!(capacity > 0, "capacity must be non-zero");
            ArrayQueue {
                queue: Mutex::new(VecDeque::with_capacity(capacity)),
                capacity,
            }
        }
        /// Appends `value`, or gives it back if the queue is full.
        pub(crate) fn push(&self, value: T) -> Result<(), T> {
            let mut queue = super::lock(&self.queue);
            if queue.len() == self.capacity {
                return Err(value);
            }
            queue.push_back(value);
            Ok(())
        }
        pub(crate) fn pop(&self) -> Option<T> {
            super::lock(&self.queue).pop_front()
        }
        pub(crate) fn len(&self) -> usize {
            super::lock(&self.queue).len()
        }
    }
}
