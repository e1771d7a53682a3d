//! Reductions across ranks: a resource that implements [`Reduction`] says how its
//! per-rank values combine ([`Op::Sum`], [`Op::Min`] or [`Op::Max`] of a [`Number`]).
//!
//! Every rank gathers every rank's value and folds them in rank order, so every rank
//! gets the same bits (a floating-point sum does not depend on an MPI library's choice
//! of reduction tree).

/// How per-rank values combine.
///
/// ```
/// use metronome_mpi::{Number, Op};
/// assert_eq!(3u64.combine(Op::Max, 5), 5);
/// assert_eq!((-2i64).combine(Op::Sum, 5), 3);
/// assert_eq!(1.5f64.combine(Op::Min, 0.5), 0.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// The sum (wrapping for integers).
    Sum,
    /// The least value.
    Min,
    /// The greatest value.
    Max,
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u64 {}
    impl Sealed for i64 {}
    impl Sealed for f64 {}
}

/// A value a [`Reduction`] combines across ranks: `u64`, `i64` or `f64`, carried as
/// 64-bit words.
///
/// ```
/// use metronome_mpi::Number;
/// assert_eq!(f64::from_word((-0.25f64).to_word()), -0.25);
/// ```
pub trait Number: sealed::Sealed + Copy + Send + Sync + std::fmt::Debug + 'static {
    /// The value as a word.
    fn to_word(self) -> u64;
    /// The value of a word written by [`to_word`](Number::to_word).
    fn from_word(word: u64) -> Self;
    /// `self` combined with `other` by `op`.
    fn combine(self, op: Op, other: Self) -> Self;
}

impl Number for u64 {
    fn to_word(self) -> u64 {
        self
    }
    fn from_word(word: u64) -> Self {
        word
    }
    fn combine(self, op: Op, other: Self) -> Self {
        match op {
            Op::Sum => self.wrapping_add(other),
            Op::Min => self.min(other),
            Op::Max => self.max(other),
        }
    }
}

impl Number for i64 {
    fn to_word(self) -> u64 {
        self as u64
    }
    fn from_word(word: u64) -> Self {
        word as i64
    }
    fn combine(self, op: Op, other: Self) -> Self {
        match op {
            Op::Sum => self.wrapping_add(other),
            Op::Min => self.min(other),
            Op::Max => self.max(other),
        }
    }
}

impl Number for f64 {
    fn to_word(self) -> u64 {
        self.to_bits()
    }
    fn from_word(word: u64) -> Self {
        f64::from_bits(word)
    }
    fn combine(self, op: Op, other: Self) -> Self {
        match op {
            Op::Sum => self + other,
            Op::Min => self.min(other),
            Op::Max => self.max(other),
        }
    }
}

/// Folds the words of every rank (`words[rank]`) by `op`, in rank order.
pub(crate) fn fold<N: Number>(op: Op, words: impl IntoIterator<Item = u64>) -> N {
    let mut words = words.into_iter().map(N::from_word);
    let first = words.next().expect("a group has at least one rank");
    words.fold(first, |acc, v| acc.combine(op, v))
}

/// A resource whose per-rank values combine across ranks: mark it with
/// [`ShardedWorld::reduce`](crate::ShardedWorld::reduce), and read the combined value
/// after each frame boundary with [`ShardedWorld::global`](crate::ShardedWorld::global).
/// The resource itself keeps this rank's own value.
///
/// ```
/// use metronome_mpi::{Op, Reduction};
/// #[derive(Default)]
/// struct Harvest(u64);
/// impl Reduction for Harvest {
///     type Value = u64;
///     const OP: Op = Op::Sum;
///     fn value(&self) -> u64 { self.0 }
/// }
/// assert_eq!(Harvest(4).value(), 4);
/// ```
pub trait Reduction: Send + Sync + 'static {
    /// The number combined.
    type Value: Number;
    /// How the ranks' values combine.
    const OP: Op;
    /// This rank's value.
    fn value(&self) -> Self::Value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_in_rank_order() {
        assert_eq!(fold::<u64>(Op::Sum, [1, 2, 3]), 6);
        assert_eq!(fold::<u64>(Op::Sum, [u64::MAX, 2]), 1, "wrapping");
        assert_eq!(fold::<i64>(Op::Min, [(-4i64) as u64, 7]), -4);
        let words = [0.1f64, 0.2, 0.3].map(f64::to_bits);
        assert_eq!(fold::<f64>(Op::Sum, words), (0.1 + 0.2) + 0.3);
        assert_eq!(fold::<f64>(Op::Max, words), 0.3);
    }
}
