//! An entity index rebuilt from its saved form (a save's generations and free list, or a
//! snapshot's slot count, free list and free generations) and the row owners of every
//! table, writing each slot once: a table's owners claim their slots as the table is
//! filled, and [`IndexRebuild::finish`] writes the free slots and any slot no row claimed.
//!
//! A bitmap of one bit per slot (`taken`) says which slots are spoken for: the free list's
//! from the start, a row owner's once it claimed its slot. It is what makes a claim
//! checkable in one test (not free, not claimed twice) and what tells `finish` which slots
//! are still unwritten.

use super::{Entity, EntityIndex, Slot, FREE, RESERVED};
use crate::sync::atomic::AtomicUsize;
use std::mem::MaybeUninit;

/// Where the slots' generations come from.
#[derive(Clone, Copy)]
enum Generations<'a> {
    /// A save's: every slot's, and a row owner must be of its slot's generation.
    Saved(&'a [u32]),
    /// A snapshot's: the free slots' (`free_generations[i]` is `free[i]`'s); a live slot
    /// takes its row owner's.
    FromRows(&'a [u32]),
}

/// An entity index being rebuilt: see the module's doc. Dropped unfinished, it frees its
/// memory and nothing else (the slots are plain data).
pub struct IndexRebuild<'a> {
    /// Length 0, capacity at least `count`: slot `i` is written in the spare capacity
    /// when a row owner claims it ([`IndexRebuild::claim`]) or by [`IndexRebuild::finish`],
    /// which then sets the length.
    slots: Vec<Slot>,
    count: usize,
    /// Bit `i % 64` of word `i / 64`: slot `i` is free or claimed by a row owner. The bits
    /// past `count` in the last word are set (never claimable, never unwritten).
    taken: Vec<u64>,
    generations: Generations<'a>,
    free: &'a [u32],
    live: usize,
}

impl<'a> IndexRebuild<'a> {
    /// The rebuild of a save's index: slot `i` of generation `generations[i]`, the slots of
    /// `free` free (top last), every other slot live, waiting for its row owner. An error,
    /// naming the fault, if a free entry is out of range or listed twice.
    pub(crate) fn saved(generations: &'a [u32], free: &'a [u32]) -> Result<Self, String> {
        Self::new(generations.len(), free, Generations::Saved(generations))
    }

    /// The rebuild of a snapshot's index: `count` slots, the slots of `free` free (top
    /// last), `free[i]` of generation `free_generations[i]`, every other slot live, taking
    /// the generation of its row owner. An error, naming the fault, if the two lists differ
    /// in length, or a free entry is out of range or listed twice.
    pub(crate) fn from_rows(
        count: usize,
        free: &'a [u32],
        free_generations: &'a [u32],
    ) -> Result<Self, String> {
        if free.len() != free_generations.len() {
            return Err(format!(
                "{} free entity slots with {} generations",
                free.len(),
                free_generations.len()
            ));
        }
        Self::new(count, free, Generations::FromRows(free_generations))
    }

    fn new(count: usize, free: &'a [u32], generations: Generations<'a>) -> Result<Self, String> {
        if u32::try_from(count).is_err() {
            return Err(format!("{count} entity slots: more than 2^32"));
        }
        let mut taken = vec![0u64; count.div_ceil(64)];
        if !count.is_multiple_of(64) {
            // The bits past the last slot: taken, so that no claim and no unwritten-slot
            // scan ever looks at them as slots.
            taken[count / 64] = !0 << (count % 64);
        }
        for &index in free {
            let i = index as usize;
            if i >= count {
                return Err(format!(
                    "free entity slot {index} is past the {count} slots"
                ));
            }
            let (word, bit) = bit_of(i);
            if taken[word] & bit != 0 {
                return Err(format!("entity slot {index} is listed free twice"));
            }
            taken[word] |= bit;
        }
        let mut slots = Vec::new();
        slots.reserve_exact(count);
        Ok(IndexRebuild {
            slots,
            count,
            taken,
            generations,
            free,
            live: 0,
        })
    }

    /// Makes the slots of `entities` live, `entities[i]` at row `first_row + i` of
    /// `archetype` (a whole table at once). If one is not a live slot waiting for its row
    /// (out of range, free, of another generation in a save's index, or listed twice), no
    /// slot is claimed and that entity is the `Err`.
    ///
    /// The handles go in blocks of [`BLOCK`]: a block of consecutive handles (consecutive
    /// slots of one generation, as a table of entities spawned together has) is claimed
    /// whole, its generations compared as a slice, its bits tested and set a word at a
    /// time, its slots written in order; any other block, or one that cannot be claimed
    /// whole, one handle at a time.
    pub(crate) fn claim(
        &mut self,
        entities: &[Entity],
        archetype: u16,
        first_row: usize,
    ) -> Result<(), Entity> {
        debug_assert!(archetype < RESERVED);
        // Every row number fits a `u32`: a table's rows are claimed slots, of which there
        // are at most `count` (checked under 2^32 in `new`).
        let first_row = u32::try_from(first_row).expect("a row number fits in u32");
        for (b, block) in entities.chunks(BLOCK).enumerate() {
            let start = b * BLOCK;
            let row = first_row.wrapping_add(start as u32);
            if in_line(block) && self.claim_run(block[0], block.len(), archetype, row) {
                continue;
            }
            // One by one, which finds the first handle that cannot be claimed.
            if let Err(at) = self.claim_each(block, archetype, row) {
                // Undo: the slots before it were untaken (checked as they were claimed).
                for done in &entities[..start + at] {
                    let (word, bit) = bit_of(done.index() as usize);
                    self.taken[word] &= !bit;
                }
                return Err(block[at]);
            }
        }
        self.live += entities.len();
        Ok(())
    }

    /// Claims `entities` one by one, `entities[i]` at row `row + i`, up to the first that
    /// cannot be claimed: `Err` its position (the ones before it stay claimed).
    fn claim_each(&mut self, entities: &[Entity], archetype: u16, row: u32) -> Result<(), usize> {
        let count = self.count;
        let slots = &mut self.slots.spare_capacity_mut()[..count];
        let taken = &mut self.taken[..];
        match self.generations {
            Generations::Saved(generations) => {
                let generations = &generations[..count];
                claim_each(
                    slots,
                    taken,
                    entities,
                    archetype,
                    row,
                    |index, generation| generations[index] == generation,
                )
            }
            Generations::FromRows(_) => {
                claim_each(slots, taken, entities, archetype, row, |_, _| true)
            }
        }
    }

    /// Claims the `len` slots from `first`'s, all of `first`'s generation, at rows
    /// `row..`, if every one can be claimed: else claims none and returns `false`.
    fn claim_run(&mut self, first: Entity, len: usize, archetype: u16, row: u32) -> bool {
        let (from, generation) = (first.index() as usize, first.generation());
        // `from + len <= count`, written so that it cannot overflow.
        if from > self.count || len > self.count - from {
            return false;
        }
        let to = from + len;
        if let Generations::Saved(generations) = self.generations {
            // A fold without an early exit: compared in vector registers.
            let differ = generations[from..to]
                .iter()
                .fold(0, |acc, &g| acc | (g ^ generation));
            if differ != 0 {
                return false;
            }
        }
        if !bits_clear(&self.taken, from, to) {
            return false;
        }
        let spare = &mut self.slots.spare_capacity_mut()[from..to];
        for (k, slot) in spare.iter_mut().enumerate() {
            slot.write(Slot {
                generation,
                archetype,
                row: row.wrapping_add(k as u32),
            });
        }
        // Written first, then taken (see `finish`).
        set_bits(&mut self.taken, from, to);
        true
    }

    /// The index: the claimed slots as claimed, the free list's slots free, and every slot
    /// no row owner claimed reserved (waiting for a row that will not come: the index's
    /// `unfilled` counts them, and a save of it keeps them as released).
    pub(crate) fn finish(mut self) -> EntityIndex {
        let spare = &mut self.slots.spare_capacity_mut()[..self.count];
        for (i, &index) in self.free.iter().enumerate() {
            let generation = match self.generations {
                Generations::Saved(generations) => generations[index as usize],
                Generations::FromRows(free_generations) => free_generations[i],
            };
            spare[index as usize].write(Slot {
                generation,
                archetype: FREE,
                row: 0,
            });
        }
        for (w, &word) in self.taken.iter().enumerate() {
            let mut unwritten = !word;
            while unwritten != 0 {
                let index = w * 64 + unwritten.trailing_zeros() as usize;
                unwritten &= unwritten - 1;
                let generation = match self.generations {
                    Generations::Saved(generations) => generations[index],
                    // Unknown: no row owner said. The slot stays reserved (dead to `get`)
                    // until the world is dropped or restored again.
                    Generations::FromRows(_) => 0,
                };
                spare[index].write(Slot {
                    generation,
                    archetype: RESERVED,
                    row: 0,
                });
            }
        }
        // SAFETY: every slot below `count` (the capacity reserved in `new`) was written:
        // a slot whose `taken` bit is clear just above (the bits past `count` are set, so
        // every clear bit is a slot); one whose bit is set is either on the free list
        // (bits are set for it in `new` and never cleared: `claim` clears only the bits
        // it set itself), written in the loop before, or claimed, written by `claim_run`
        // or `claim_each` before they set its bit.
        unsafe { self.slots.set_len(self.count) };
        EntityIndex {
            slots: self.slots,
            free: self.free.to_vec(),
            live: self.live,
            reserved: AtomicUsize::new(0),
        }
    }
}

/// [`IndexRebuild::claim_each`] with the slots (spare room, `slots.len()` of them) and
/// the bitmap of taken slots, `fits(index, generation)` saying whether a handle of an
/// untaken slot in range can claim it.
fn claim_each(
    slots: &mut [MaybeUninit<Slot>],
    taken: &mut [u64],
    entities: &[Entity],
    archetype: u16,
    row: u32,
    fits: impl Fn(usize, u32) -> bool,
) -> Result<(), usize> {
    let count = slots.len();
    for (i, &entity) in entities.iter().enumerate() {
        let index = entity.index() as usize;
        if index >= count {
            return Err(i);
        }
        let generation = entity.generation();
        let (word, bit) = bit_of(index);
        let word = &mut taken[word];
        if *word & bit != 0 || !fits(index, generation) {
            return Err(i);
        }
        slots[index].write(Slot {
            generation,
            archetype,
            row: row.wrapping_add(i as u32),
        });
        // Written first, then taken (see `IndexRebuild::finish`).
        *word |= bit;
    }
    Ok(())
}

/// The handles a claim looks at together (see [`IndexRebuild::claim`]).
const BLOCK: usize = 64;

/// Whether `block` (not empty) is a run: slot `k` after the first handle's, of its
/// generation, at `k`. The last handle is looked at first, the others only if it is in
/// line (without an early exit, so they are compared in vector registers).
fn in_line(block: &[Entity]) -> bool {
    let first = block[0].to_bits();
    let off_line = |(e, k): (&Entity, u64)| e.to_bits() ^ first.wrapping_add(k);
    let last = block.len() - 1;
    off_line((&block[last], last as u64)) == 0
        && block
            .iter()
            .zip(0u64..)
            .fold(0, |acc, ek| acc | off_line(ek))
            == 0
}

/// Slot `index`'s word in a bitmap of one bit a slot, and its bit in that word.
fn bit_of(index: usize) -> (usize, u64) {
    (index / 64, 1u64 << (index % 64))
}

/// The mask of bits `from % 64..` up to (not including) `to` within word `from / 64`,
/// where `to` is at most the word's end.
fn word_mask(from: usize, to: usize) -> u64 {
    let low = from % 64;
    let bits = to - from;
    if bits == 64 {
        !0
    } else {
        ((1u64 << bits) - 1) << low
    }
}

/// The words of bits `from..to`, each with the mask of the bits in range.
fn words(from: usize, to: usize) -> impl Iterator<Item = (usize, u64)> {
    let mut at = from;
    std::iter::from_fn(move || {
        if at >= to {
            return None;
        }
        let end = to.min((at / 64 + 1) * 64);
        let item = (at / 64, word_mask(at, end));
        at = end;
        Some(item)
    })
}

/// Whether bits `from..to` of `bits` are all clear.
fn bits_clear(bits: &[u64], from: usize, to: usize) -> bool {
    words(from, to).all(|(w, mask)| bits[w] & mask == 0)
}

/// Sets bits `from..to` of `bits`.
fn set_bits(bits: &mut [u64], from: usize, to: usize) {
    for (w, mask) in words(from, to) {
        bits[w] |= mask;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(index: u32, generation: u32) -> Entity {
        Entity::from_bits((generation as u64) << 32 | index as u64)
    }

    fn error(rebuild: Result<IndexRebuild<'_>, String>) -> String {
        match rebuild {
            Ok(_) => panic!("rebuilt"),
            Err(e) => e,
        }
    }

    #[test]
    fn bad_free_lists_are_refused() {
        assert!(error(IndexRebuild::saved(&[0, 0], &[2])).contains("past"));
        assert!(error(IndexRebuild::saved(&[0, 0], &[1, 1])).contains("twice"));
        assert!(error(IndexRebuild::from_rows(2, &[1], &[])).contains("generations"));
        assert!(error(IndexRebuild::from_rows(70, &[69, 3, 69], &[0, 0, 0])).contains("twice"));
    }

    #[test]
    fn slots_no_row_claimed_are_left_reserved_and_saved_as_released() {
        let index = IndexRebuild::saved(&[4, 7, 2], &[1]).unwrap().finish();
        assert_eq!(index.unfilled(), 2);
        assert_eq!(index.saved_slots(), (vec![5, 7, 3], vec![1, 0, 2]));
        assert_eq!(index.get(e(0, 4)), None);
    }

    #[test]
    fn a_run_of_row_owners_with_a_bad_one_claims_no_slot() {
        let mut rebuild = IndexRebuild::saved(&[0, 0, 5, 0], &[3]).unwrap();
        // Entity 1 twice, a stale generation, a free slot, a slot past the end: each refused,
        // naming the culprit, every slot still unclaimed.
        for (run, culprit) in [
            (vec![e(0, 0), e(1, 0), e(1, 0)], e(1, 0)),
            (vec![e(0, 0), e(2, 4)], e(2, 4)),
            (vec![e(3, 0)], e(3, 0)),
            (vec![e(1, 0), e(9, 0)], e(9, 0)),
        ] {
            assert_eq!(rebuild.claim(&run, 0, 0), Err(culprit));
        }
        rebuild.claim(&[e(2, 5), e(0, 0)], 1, 7).unwrap();
        // A slot claimed once cannot be claimed again, by another table either.
        assert_eq!(rebuild.claim(&[e(1, 0), e(0, 0)], 2, 0), Err(e(0, 0)));
        let index = rebuild.finish();
        assert_eq!(index.unfilled(), 1);
        let at = |entity| index.get(entity).map(|l| (l.archetype, l.row));
        assert_eq!(at(e(2, 5)), Some((1, 7)));
        assert_eq!(at(e(0, 0)), Some((1, 8)));
        assert_eq!(at(e(1, 0)), None);
        assert_eq!(index.saved_slots(), (vec![0, 1, 5, 0], vec![3, 1]));
    }

    #[test]
    fn a_snapshot_index_takes_live_generations_from_the_rows() {
        // Reservations not spawned into are kept as released, as a save keeps them.
        let waiting = IndexRebuild::saved(&[4, 7, 2], &[1]).unwrap().finish();
        assert_eq!(waiting.snapshot_slots(), (3, vec![1, 0, 2], vec![7, 5, 3]));

        let mut rebuild = IndexRebuild::from_rows(3, &[1], &[7]).unwrap();
        assert_eq!(rebuild.claim(&[e(2, 2), e(2, 9)], 0, 0), Err(e(2, 9)));
        assert_eq!(rebuild.claim(&[e(1, 7)], 0, 0), Err(e(1, 7)));
        rebuild.claim(&[e(2, 2), e(0, 4)], 0, 0).unwrap();
        let index = rebuild.finish();
        assert_eq!(index.unfilled(), 0);
        assert_eq!(index.snapshot_slots(), (3, vec![1], vec![7]));
        assert_eq!(index.get(e(0, 4)).map(|l| l.row), Some(1));
        assert_eq!(index.get(e(2, 2)).map(|l| l.row), Some(0));
        // The free slot's generation is back: it is the next one handed out.
        let mut index = index;
        let next = index.alloc(crate::entity::Location {
            archetype: 0,
            row: 2,
        });
        assert_eq!((next.index(), next.generation()), (1, 7));
    }

    #[test]
    fn every_slot_is_written_around_the_bitmaps_word_edges() {
        // Slot counts around multiples of 64, every third slot free, the rest claimed but
        // for every seventh: each slot ends up as said, and spawns reuse the free list.
        for count in [0usize, 1, 63, 64, 65, 127, 128, 129, 200] {
            let generations: Vec<u32> = (0..count as u32).map(|i| i % 5).collect();
            let free: Vec<u32> = (0..count as u32).filter(|i| i % 3 == 0).collect();
            let owners: Vec<Entity> = (0..count as u32)
                .filter(|i| i % 3 != 0 && i % 7 != 0)
                .map(|i| e(i, i % 5))
                .collect();
            let mut rebuild = IndexRebuild::saved(&generations, &free).unwrap();
            rebuild.claim(&owners, 3, 10).unwrap();
            let mut index = rebuild.finish();
            let unclaimed = (0..count).filter(|i| i % 3 != 0 && i % 7 == 0).count();
            assert_eq!(index.unfilled(), unclaimed, "{count} slots");
            for (row, &owner) in owners.iter().enumerate() {
                let location = index.get(owner).expect("claimed");
                assert_eq!((location.archetype, location.row as usize), (3, 10 + row));
            }
            let (saved_generations, _) = index.saved_slots();
            assert_eq!(saved_generations.len(), count);
            if let Some(&top) = free.last() {
                let spawned = index.alloc(crate::entity::Location {
                    archetype: 0,
                    row: 0,
                });
                assert_eq!(spawned.index(), top);
            }
        }
    }
    #[test]
    fn runs_are_claimed_whole_or_one_by_one_up_to_the_culprit() {
        let generations = vec![1u32; 300];
        let run = |from: u32, len: u32| (from..from + len).map(|i| e(i, 1)).collect::<Vec<_>>();
        let mut rebuild = IndexRebuild::saved(&generations, &[150]).unwrap();
        // Across a free slot, past the end, with a stale generation inside, with a duplicate
        // of an earlier entity of the same table: refused at the culprit, nothing claimed.
        let mut stale = run(0, 100);
        stale[70] = e(70, 2);
        let mut twice = run(0, 100);
        twice.extend(run(40, 30));
        for (owners, culprit) in [
            (run(100, 100), e(150, 1)),
            (run(141, 10), e(150, 1)),
            (run(250, 60), e(300, 1)),
            (stale, e(70, 2)),
            (twice, e(40, 1)),
        ] {
            assert_eq!(rebuild.claim(&owners, 0, 0), Err(culprit));
        }
        rebuild.claim(&run(0, 150), 0, 0).unwrap();
        // A second table's run overlapping the first's: refused at the first overlap.
        let mut overlapping = run(151, 20);
        overlapping.extend(run(140, 20));
        assert_eq!(rebuild.claim(&overlapping, 1, 0), Err(e(140, 1)));
        rebuild.claim(&run(151, 149), 1, 0).unwrap();
        let index = rebuild.finish();
        assert_eq!(index.unfilled(), 0);
        assert_eq!(
            index.get(e(149, 1)).map(|l| (l.archetype, l.row)),
            Some((0, 149))
        );
        assert_eq!(
            index.get(e(299, 1)).map(|l| (l.archetype, l.row)),
            Some((1, 148))
        );
        assert_eq!(index.get(e(150, 1)), None);
    }

    #[test]
    fn a_run_whose_slots_would_wrap_past_2_to_the_32_is_out_of_range() {
        let generations = [0u32; 4];
        let mut rebuild = IndexRebuild::saved(&generations, &[]).unwrap();
        // Consecutive as `u64` bits: slot u32::MAX of generation 0, then slot 0 of
        // generation 1, ...
        let owners: Vec<Entity> = (0..12u64)
            .map(|k| Entity::from_bits(u64::from(u32::MAX - 3) + k))
            .collect();
        assert_eq!(rebuild.claim(&owners, 0, 0), Err(owners[0]));
        assert_eq!(rebuild.finish().unfilled(), 4);
    }

    /// A slot as the model sees it.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Model {
        Free,
        Waiting,
        Live {
            generation: u32,
            archetype: u16,
            row: u32,
        },
    }

    /// What `claim` must do, one entity at a time: `Err` the first entity that cannot be
    /// claimed, and then nothing changes.
    fn model_claim(
        slots: &mut [Model],
        generations: Option<&[u32]>,
        owners: &[Entity],
        archetype: u16,
        first_row: u32,
    ) -> Result<(), Entity> {
        let mut after = slots.to_vec();
        for (row, &owner) in owners.iter().enumerate() {
            let i = owner.index() as usize;
            let fits = i < after.len()
                && after[i] == Model::Waiting
                && generations.is_none_or(|g| g[i] == owner.generation());
            if !fits {
                return Err(owner);
            }
            after[i] = Model::Live {
                generation: owner.generation(),
                archetype,
                row: first_row + row as u32,
            };
        }
        slots.copy_from_slice(&after);
        Ok(())
    }

    /// A generation: mostly 0 (so that runs of slots of one generation are common).
    fn generation() -> impl proptest::strategy::Strategy<Value = u32> {
        use proptest::prelude::*;
        prop_oneof![8 => Just(0u32), 1 => 1u32..3]
    }

    /// A table's row owners: runs of consecutive handles (some stale, some past the end,
    /// some repeated) and single handles.
    fn owners() -> impl proptest::strategy::Strategy<Value = Vec<Entity>> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            (0u32..140, 1u32..40, generation())
                .prop_map(|(from, len, g)| (from..from + len).map(|i| e(i, g)).collect()),
            (0u32..140, generation()).prop_map(|(i, g)| vec![e(i, g)]),
        ];
        proptest::collection::vec(piece, 0..5).prop_map(|pieces: Vec<Vec<Entity>>| pieces.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        #[test]
        fn a_rebuild_claims_as_the_one_by_one_model_does(
            count in 0usize..130,
            generation_seed in proptest::collection::vec(generation(), 130),
            free_seed in proptest::collection::vec(proptest::bool::weighted(0.05), 130),
            from_rows in proptest::prelude::any::<bool>(),
            tables in proptest::collection::vec(owners(), 0..4),
            first_rows in proptest::collection::vec(0u32..1000, 4),
        ) {
            let generations = &generation_seed[..count];
            let free: Vec<u32> = (0..count as u32).rev().filter(|&i| free_seed[i as usize]).collect();
            let free_generations: Vec<u32> = free.iter().map(|&i| generations[i as usize] + 5).collect();
            let mut model: Vec<Model> = (0..count)
                .map(|i| if free_seed[i] { Model::Free } else { Model::Waiting })
                .collect();
            let mut rebuild = if from_rows {
                IndexRebuild::from_rows(count, &free, &free_generations).unwrap()
            } else {
                IndexRebuild::saved(generations, &free).unwrap()
            };
            for (archetype, owners) in tables.iter().enumerate() {
                let first_row = first_rows[archetype];
                let archetype = archetype as u16;
                let expected = model_claim(
                    &mut model,
                    (!from_rows).then_some(generations),
                    owners,
                    archetype,
                    first_row,
                );
                proptest::prop_assert_eq!(
                    rebuild.claim(owners, archetype, first_row as usize),
                    expected
                );
            }
            let index = rebuild.finish();
            let waiting: Vec<u32> = (0..count as u32).filter(|&i| model[i as usize] == Model::Waiting).collect();
            proptest::prop_assert_eq!(index.unfilled(), waiting.len());
            for (i, slot) in model.iter().enumerate() {
                for g in 0..8 {
                    let found = index.get(e(i as u32, g)).map(|l| (l.archetype, l.row));
                    let expected = match *slot {
                        Model::Live { generation, archetype, row } if generation == g => Some((archetype, row)),
                        _ => None,
                    };
                    proptest::prop_assert_eq!(found, expected);
                }
            }
            // The free list, then the slots no row claimed (released).
            let mut expected_free = free.clone();
            expected_free.extend(&waiting);
            if from_rows {
                let mut expected_generations = free_generations.clone();
                expected_generations.extend(waiting.iter().map(|_| 1));
                proptest::prop_assert_eq!(index.snapshot_slots(), (count, expected_free, expected_generations));
            } else {
                let expected_generations: Vec<u32> = (0..count)
                    .map(|i| match model[i] {
                        Model::Waiting => generations[i] + 1,
                        _ => generations[i],
                    })
                    .collect();
                proptest::prop_assert_eq!(index.saved_slots(), (expected_generations, expected_free));
            }
        }
    }
}
