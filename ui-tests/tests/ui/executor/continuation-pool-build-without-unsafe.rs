// The soundness hole this closes: on a continuation pool the code after a `join` may run
// on another thread, so an `Rc` shared with a thread-local, cloned before the join and
// dropped after it, had its count updated from two threads at once (a corrupted count,
// then heap aborts). Building the pool is `unsafe` now: whoever builds it promises that
// nothing run on it holds such a value across a join.
use std::rc::Rc;

use metronome::runtime::{join, ContinuationPool};

thread_local! {
    static SHARED: Rc<u64> = Rc::new(7);
}

fn walk(depth: u32) -> u64 {
    if depth == 0 {
        return 1;
    }
    let held = SHARED.with(Rc::clone);
    let (a, b) = join(|| walk(depth - 1), || walk(depth - 1));
    drop(held);
    a + b
}

fn main() {
    let pool = ContinuationPool::builder().workers(3).build().unwrap();
    assert_eq!(pool.install(|| walk(10)), 1024);
}
