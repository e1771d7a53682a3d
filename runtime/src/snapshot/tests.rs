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
