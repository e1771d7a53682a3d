use super::*;
use crate::entity::EntityIndex;

#[test]
fn same_lengths_names_the_table() {
    assert!(same_lengths("Unit", &[]).is_ok());
    assert!(same_lengths("Unit", &[3, 3]).is_ok());
    let err = same_lengths("Unit", &[3, 2]).unwrap_err();
    assert!(err.contains("`Unit`") && err.contains("[3, 2]"), "{err}");
}

#[test]
fn restored_index_rejects_bad_free_lists() {
    let error = |generations: &[u32], free: &[u32]| match EntityIndex::restored(generations, free) {
        Ok(_) => panic!("{generations:?} / {free:?} restored"),
        Err(e) => e,
    };
    assert!(error(&[0, 0], &[2]).contains("past"));
    assert!(error(&[0, 0], &[1, 1]).contains("twice"));
    let index = EntityIndex::restored(&[4, 7, 2], &[1]).unwrap();
    assert_eq!(index.unfilled(), 2);
    // The two slots still waiting for a row are saved as released reservations.
    assert_eq!(index.saved_slots(), (vec![5, 7, 3], vec![1, 0, 2]));
}

#[test]
fn a_run_of_row_owners_with_a_bad_one_changes_no_slot() {
    use crate::entity::Entity;
    let mut index = EntityIndex::restored(&[0, 0, 5, 0], &[3]).unwrap();
    let e = |i: u32, g: u32| Entity::from_bits((g as u64) << 32 | i as u64);
    // Entity 1 twice, a stale generation, a free slot, a slot past the end: each refused,
    // naming the culprit, with every slot still waiting.
    for (run, culprit) in [
        (vec![e(0, 0), e(1, 0), e(1, 0)], e(1, 0)),
        (vec![e(0, 0), e(2, 4)], e(2, 4)),
        (vec![e(3, 0)], e(3, 0)),
        (vec![e(1, 0), e(9, 0)], e(9, 0)),
    ] {
        assert_eq!(index.alloc_reserved_rows(&run, 0, 0), Err(culprit));
        assert_eq!(index.unfilled(), 3);
        assert!(run.iter().all(|&x| index.get(x).is_none()));
    }
    index
        .alloc_reserved_rows(&[e(2, 5), e(0, 0)], 1, 7)
        .unwrap();
    assert_eq!(index.unfilled(), 1);
    assert_eq!(
        index.get(e(2, 5)).map(|l| (l.archetype, l.row)),
        Some((1, 7))
    );
    assert_eq!(
        index.get(e(0, 0)).map(|l| (l.archetype, l.row)),
        Some((1, 8))
    );
}

#[test]
fn a_snapshot_index_keeps_the_free_slots_and_takes_live_generations_from_the_rows() {
    use crate::entity::Entity;
    let e = |i: u32, g: u32| Entity::from_bits((g as u64) << 32 | i as u64);
    // Slots 0 and 2 wait for their rows (reserved, as after a restore); slot 1 is free.
    let waiting = EntityIndex::restored(&[4, 7, 2], &[1]).unwrap();
    // Reservations not spawned into are kept as released, as a save keeps them.
    assert_eq!(waiting.snapshot_slots(), (3, vec![1, 0, 2], vec![7, 5, 3]));

    let mut index = EntityIndex::restored(&[4, 7, 2], &[1]).unwrap();
    index
        .alloc_reserved_rows(&[e(2, 2), e(0, 4)], 0, 0)
        .unwrap();
    assert_eq!(index.snapshot_slots(), (3, vec![1], vec![7]));
    let mut copy = EntityIndex::restored_from_rows(3, &[1], &[7]).unwrap();
    assert_eq!(copy.unfilled(), 2);
    // A live slot takes its row owner's generation; one listed twice is refused.
    assert_eq!(
        copy.alloc_reserved_rows(&[e(2, 2), e(2, 9)], 0, 0),
        Err(e(2, 9))
    );
    assert_eq!(copy.unfilled(), 2);
    copy.alloc_reserved_rows(&[e(2, 2), e(0, 4)], 0, 0).unwrap();
    assert_eq!(copy.unfilled(), 0);
    assert_eq!(copy.saved_slots(), index.saved_slots());
    assert_eq!(copy.get(e(0, 4)).map(|l| l.row), Some(1));
    // A free slot is not waiting for a row.
    let mut copy = EntityIndex::restored_from_rows(3, &[1], &[7]).unwrap();
    assert_eq!(copy.alloc_reserved_rows(&[e(1, 7)], 0, 0), Err(e(1, 7)));
    // The free slot's generation is back: it is the next one handed out.
    let next = copy.alloc(crate::entity::Location {
        archetype: 0,
        row: 0,
    });
    assert_eq!((next.index(), next.generation()), (1, 7));

    let error = |free: &[u32], generations: &[u32]| match EntityIndex::restored_from_rows(
        3,
        free,
        generations,
    ) {
        Ok(_) => panic!("{free:?} / {generations:?} restored"),
        Err(e) => e,
    };
    assert!(error(&[3], &[0]).contains("past"));
    assert!(error(&[1, 1], &[0, 0]).contains("twice"));
    assert!(error(&[1], &[]).contains("generations"));
}
