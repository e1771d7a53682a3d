//! `par_for_each` on a fiber: splits lazily, when an idle worker asks for work.
//!
//! Before each item the loop reads the request flag (the limit word) of the worker it
//! runs on (one `Relaxed` load, through the fiber's context: the fiber may have moved
//! since the last item). Only when it is up does the loop cut what is left in two and `join` the
//! halves, and that join shares the oldest private job. With one worker nobody asks,
//! so the loop never splits.

use crate::exec::ParSource;

use super::current;
use super::join::join;

/// Walks `source` on the current fiber, splitting on request. Each half finds its own
/// fiber's context: a stolen half runs on the thief's fiber.
pub(crate) fn run<S, F>(mut source: S, f: &F)
where
    S: ParSource,
    F: Fn(S::Item) + Sync,
{
    let Some(ctx) = current::current_ctx() else {
        while let Some(item) = source.next_item() {
            f(item);
        }
        return;
    };
    loop {
        if ctx.requested() {
            let len = source.len();
            if len >= 2 {
                let (left, right) = source.split_at(len / 2);
                join(ctx, || run(left, f), || run(right, f));
                return;
            }
        }
        match source.next_item() {
            Some(item) => f(item),
            None => return,
        }
    }
}
