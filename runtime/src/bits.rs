//! A fixed 256-bit set usable in `const fn`: component sets and archetype sets.
//!
//! Worlds have at most [`Bits::CAPACITY`] component types and as many archetypes, so one
//! type serves both, and the compile-time schedule can combine sets in `const` code.

/// A set of small integers below [`Bits::CAPACITY`], usable in `const` contexts.
///
/// ```
/// use metronome_runtime::Bits;
/// const S: Bits = Bits::EMPTY.with(3).with(70);
/// assert!(S.contains(70) && !S.contains(4));
/// assert_eq!(S.iter().collect::<Vec<_>>(), vec![3, 70]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Bits(pub [u64; 4]);

impl Bits {
    /// How many distinct members a set can hold (ids `0..CAPACITY`).
    pub const CAPACITY: usize = 256;
    /// The empty set.
    pub const EMPTY: Bits = Bits([0; 4]);

    /// The set of one member.
    pub const fn single(i: usize) -> Bits {
        Bits::EMPTY.with(i)
    }

    /// This set plus `i`.
    pub const fn with(self, i: usize) -> Bits {
        let mut w = self.0;
        w[i / 64] |= 1 << (i % 64);
        Bits(w)
    }

    /// Whether `i` is a member.
    pub const fn contains(&self, i: usize) -> bool {
        i < Self::CAPACITY && self.0[i / 64] & (1 << (i % 64)) != 0
    }

    /// Members of either set.
    pub const fn union(self, other: Bits) -> Bits {
        let (a, b) = (self.0, other.0);
        Bits([a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]])
    }

    /// Members of both sets.
    pub const fn intersection(self, other: Bits) -> Bits {
        let (a, b) = (self.0, other.0);
        Bits([a[0] & b[0], a[1] & b[1], a[2] & b[2], a[3] & b[3]])
    }

    /// Members of `self` that are not in `other`.
    pub const fn difference(self, other: Bits) -> Bits {
        let mut out = self;
        let mut i = 0;
        while i < out.0.len() {
            out.0[i] &= !other.0[i];
            i += 1;
        }
        out
    }

    /// Whether the sets share a member.
    pub const fn intersects(&self, other: &Bits) -> bool {
        !self.intersection(*other).is_empty()
    }

    /// Whether every member of `self` is in `other`.
    pub const fn is_subset(&self, other: &Bits) -> bool {
        let (a, b) = (self.0, other.0);
        a[0] & !b[0] == 0 && a[1] & !b[1] == 0 && a[2] & !b[2] == 0 && a[3] & !b[3] == 0
    }

    /// Whether the set has no member.
    pub const fn is_empty(&self) -> bool {
        self.0[0] | self.0[1] | self.0[2] | self.0[3] == 0
    }

    /// Number of members.
    pub const fn len(&self) -> usize {
        (self.0[0].count_ones()
            + self.0[1].count_ones()
            + self.0[2].count_ones()
            + self.0[3].count_ones()) as usize
    }

    /// The smallest member at or after `from`, if any (a `const` way to iterate).
    pub const fn next_from(&self, from: usize) -> Option<usize> {
        let mut word = from / 64;
        if word >= 4 {
            return None;
        }
        let mut bits = self.0[word] & (u64::MAX << (from % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + bits.trailing_zeros() as usize);
            }
            word += 1;
            if word == 4 {
                return None;
            }
            bits = self.0[word];
        }
    }

    /// Members in increasing order.
    pub fn iter(&self) -> BitsIter {
        BitsIter {
            bits: *self,
            word: 0,
            current: self.0[0],
        }
    }
}

/// Iterator over the members of a [`Bits`], in increasing order.
#[derive(Clone, Debug)]
pub struct BitsIter {
    bits: Bits,
    word: usize,
    current: u64,
}

impl Iterator for BitsIter {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        loop {
            if self.current != 0 {
                let bit = self.current.trailing_zeros() as usize;
                self.current &= self.current - 1;
                return Some(self.word * 64 + bit);
            }
            self.word += 1;
            if self.word >= 4 {
                return None;
            }
            self.current = self.bits.0[self.word];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bits;

    #[test]
    fn set_operations() {
        let a = Bits::EMPTY.with(0).with(64).with(255);
        let b = Bits::single(64).with(100);
        assert!(a.intersects(&b));
        assert_eq!(a.intersection(b), Bits::single(64));
        assert_eq!(a.union(b).len(), 4);
        assert!(Bits::single(255).is_subset(&a));
        assert!(!b.is_subset(&a));
        assert_eq!(a.next_from(1), Some(64));
        assert_eq!(a.next_from(65), Some(255));
        assert_eq!(Bits::single(3).next_from(4), None);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![0, 64, 255]);
        assert!(!a.contains(300));
    }
}
