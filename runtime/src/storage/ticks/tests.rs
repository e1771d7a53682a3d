//! Unit tests of the ticks: age arithmetic across the wrap, chunk summaries through
//! writes, swap-removes and carries, and both chunk-skipping scans against a per-row scan.

use super::*;

#[test]
fn newer_compares_ages_across_the_wrap() {
    assert!(is_newer(5, 4, 10));
    assert!(!is_newer(4, 4, 10));
    assert!(!is_newer(3, 4, 10));
    // `now` wrapped past zero; the change did too, the last run did not.
    assert!(is_newer(1, u32::MAX - 1, 3));
    assert!(!is_newer(u32::MAX - 2, u32::MAX - 1, 3));
}

#[test]
fn clamping_keeps_recent_ticks_and_ages_old_ones_to_the_maximum() {
    assert_eq!(clamp(90, 100), 90);
    let now = 10u32;
    let old = now.wrapping_sub(MAX_CHANGE_AGE + 5);
    assert_eq!(clamp(old, now), now.wrapping_sub(MAX_CHANGE_AGE));
}

fn table_ticks(rows: usize, now: u32) -> TableTicks {
    let mut ticks = TableTicks::new(&[3]);
    ticks.set_now(now);
    for _ in 0..rows {
        ticks.push();
    }
    ticks
}

#[test]
fn only_chunks_with_a_newer_summary_are_scanned() {
    let mut ticks = table_ticks(300, 1);
    ticks.set_now(5);
    ticks.mark_changed(3, 130);
    ticks.mark_row_changed(3, 299);
    let reader = ticks.reader(3).expect("tracked");
    let found: Vec<usize> = std::iter::successors(reader.next_newer(false, 0, 300, 1, 5), |&r| {
        reader.next_newer(false, r + 1, 300, 1, 5)
    })
    .collect();
    assert_eq!(found, [130, 299]);
    assert!(!reader.chunk_changed(0, 1, 5));
    assert!(reader.chunk_changed(130 / CHUNK, 1, 5));
    assert!(!reader.chunk_changed(100 / CHUNK, 1, 5));
    assert_eq!(
        reader.next_newer(true, 0, 300, 1, 5),
        None,
        "nothing added since 1"
    );
    assert!(ticks.reader(4).is_none(), "an untracked id has no ticks");
}

#[test]
fn a_swap_remove_moves_a_change_into_the_holes_chunk() {
    let mut ticks = table_ticks(200, 1);
    ticks.set_now(7);
    ticks.mark_changed(3, 199);
    // Row 199 (changed at 7) fills the hole at row 0, whose chunk was older.
    ticks.swap_remove(0);
    let reader = ticks.reader(3).expect("tracked");
    assert!(reader.chunk_changed(0, 1, 7));
    assert_eq!(reader.next_newer(false, 0, 199, 1, 7), Some(0));
    assert!(reader.changed(0, 1, 7));
    assert!(!reader.added(0, 1, 7));
}

#[test]
fn carried_rows_keep_their_ticks() {
    let mut from = table_ticks(2, 1);
    from.set_now(4);
    from.mark_changed(3, 1);
    let mut to = TableTicks::new(&[3, 9]);
    to.set_now(6);
    to.push();
    to.carry(0, &from, 1);
    let reader = to.reader(3).expect("tracked");
    assert!(
        !reader.added(0, 1, 6) && reader.added(0, 0, 6),
        "added at 1"
    );
    assert!(
        reader.changed(0, 3, 6) && !reader.changed(0, 4, 6),
        "changed at 4"
    );
    assert!(
        to.reader(9).expect("tracked").added(0, 5, 6),
        "new column: added now"
    );
}

/// The rows `reader` passes, row by row.
fn per_row(reader: TickReader<'_>, added: bool, len: usize, last_run: u32, now: u32) -> Vec<usize> {
    (0..len)
        .filter(|&r| {
            if added {
                reader.added(r, last_run, now)
            } else {
                reader.changed(r, last_run, now)
            }
        })
        .collect()
}

/// The rows the chunk-skipping scan of atomics finds.
fn by_next_newer(
    reader: TickReader<'_>,
    added: bool,
    len: usize,
    last_run: u32,
    now: u32,
) -> Vec<usize> {
    std::iter::successors(reader.next_newer(added, 0, len, last_run, now), |&r| {
        reader.next_newer(added, r + 1, len, last_run, now)
    })
    .collect()
}

/// The rows of the runs the vectorised scan finds (each run non-empty, in order).
fn by_runs(reader: TickReader<'_>, added: bool, len: usize, last_run: u32, now: u32) -> Vec<usize> {
    let mut rows = Vec::new();
    let mut from = 0;
    loop {
        // SAFETY: nothing else touches the ticks (the test owns them).
        let run = unsafe { reader.next_run_unshared(added, from, len, last_run, now) };
        let Some((start, end, resume)) = run else {
            break;
        };
        assert!(end <= resume && resume <= len, "{end} {resume} {len}");
        assert!(
            from <= start && start < end && end <= len,
            "{from} {start} {end} {len}"
        );
        rows.extend(start..end);
        from = resume;
    }
    rows
}

proptest::proptest! {
    /// Both chunk-skipping scans yield exactly the rows a per-row scan yields, for
    /// changes written row by row, through a `Mut` writer and by whole-column stamps,
    /// rows moved in from another table (`carry`, which must not inherit the stamp),
    /// swap-removes, and readers whose last run is several ticks back (a system
    /// skipped by run conditions), with the clock started anywhere (near the wrap).
    #[test]
    fn chunk_scans_match_the_per_row_scan(
        start in proptest::prelude::any::<u32>(),
        rows in 1usize..200,
        steps in proptest::collection::vec((0u8..6, 0usize..400), 1..40),
        lag in 0u32..6,
    ) {
        let mut ticks = table_ticks(rows, start);
        let mut other = table_ticks(8, start);
        let mut now = start;
        let mut history = vec![now];
        for (op, arg) in steps {
            now = now.wrapping_add(1);
            history.push(now);
            ticks.set_now(now);
            other.set_now(now);
            let len = ticks.reader(3).expect("tracked").column.changed.len();
            match op {
                0 if len > 0 => ticks.mark_changed(3, arg % len),
                1 if len > 0 => ticks.mark_row_changed(3, arg % len),
                2 => ticks.mark_all_changed(3),
                3 if len > 0 => {
                    let writer = ticks.writer(3).expect("tracked");
                    // SAFETY: the row is below the length; nothing moved since.
                    unsafe { writer.mark(arg % len) };
                }
                4 => {
                    ticks.push();
                    let row = ticks.reader(3).expect("tracked").column.changed.len() - 1;
                    ticks.carry(row, &other, arg % 8);
                }
                5 if len > 1 => ticks.swap_remove(arg % len),
                _ => other.mark_all_changed(3),
            }
            let len = ticks.reader(3).expect("tracked").column.changed.len();
            let last_run = history[history.len().saturating_sub(2 + lag as usize)];
            let reader = ticks.reader(3).expect("tracked");
            for added in [false, true] {
                let expected = per_row(reader, added, len, last_run, now);
                proptest::prop_assert_eq!(&by_next_newer(reader, added, len, last_run, now), &expected);
                proptest::prop_assert_eq!(&by_runs(reader, added, len, last_run, now), &expected);
            }
        }
    }
}

#[test]
fn a_row_carried_into_a_stamped_column_is_not_covered_by_the_stamp() {
    let mut ticks = table_ticks(40, 1);
    let old = table_ticks(1, 1);
    ticks.set_now(5);
    ticks.mark_all_changed(3);
    ticks.set_now(6);
    ticks.push();
    ticks.carry(40, &old, 0);
    let reader = ticks.reader(3).expect("tracked");
    assert_eq!(
        by_runs(reader, false, 41, 4, 6),
        (0..40).collect::<Vec<_>>()
    );
    assert!(!reader.changed(40, 4, 6), "changed at 1, before the stamp");
    assert!(reader.changed(39, 4, 6), "stamped at 5");
}
