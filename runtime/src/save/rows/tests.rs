//! A column's length is bounded by its table's row owners: a crafted save (valid
//! checksums, written by the crate's own writer) that gives a column of values taking no
//! bytes a huge length is an error at once, not a loop of 2^40 values or an allocation
//! that grows until the process aborts.

use crate::entity::Entity;
use crate::save::{load, save, Format, Layout, LoadError, SavedColumn};
use crate::snapshot::{Clock, EntitySlots, TableData, WorldData};
use serde::ser::{SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use std::sync::mpsc;
use std::time::Duration;

const LAYOUT: Layout = Layout {
    world: "Crafted",
    archetypes: &[("Row", &["Marker"])],
    sparse: &["Marker"],
    resources: &[],
};

/// A zero-sized component.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Marker;

/// A component whose serde form is zero bytes.
#[derive(Serialize, Deserialize, Debug, Default, PartialEq)]
struct Skipped {
    #[serde(skip)]
    _kept: u8,
}

/// A sequence that claims `0` values and writes none (a hostile length prefix).
struct Claimed(usize);

impl Serialize for Claimed {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_seq(Some(self.0))?.end()
    }
}

/// A binary column of one chunk that claims `0` values and holds no bytes (a hostile
/// count: the values would take no bytes).
struct ClaimedChunk(usize);

impl Serialize for ClaimedChunk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Chunk(usize);
        impl Serialize for Chunk {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut tuple = serializer.serialize_tuple(2)?;
                tuple.serialize_element(&self.0)?;
                tuple.serialize_element(&NoBytes)?;
                tuple.end()
            }
        }
        struct NoBytes;
        impl Serialize for NoBytes {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(&[])
            }
        }
        let mut seq = serializer.serialize_seq(Some(1))?;
        seq.serialize_element(&Chunk(self.0))?;
        seq.end()
    }
}

/// A column as a world's save writes it.
fn saved<T>(values: &[T]) -> SavedColumn<'_, T> {
    SavedColumn(values)
}

type Data<C, S> = WorldData<(TableData<Vec<Entity>, C>,), (TableData<Vec<Entity>, S>,), ()>;

fn data<C, S>(columns: C, sparse: S) -> Data<C, S> {
    WorldData {
        entities: EntitySlots {
            generations: vec![0],
            free: vec![],
        },
        clock: Clock::default(),
        tables: (TableData {
            entities: vec![Entity::from_bits(0)],
            columns,
        },),
        sparse: (TableData {
            entities: vec![Entity::from_bits(0)],
            columns: sparse,
        },),
        resources: (),
    }
}

fn bytes_of<C: Serialize, S: Serialize>(data: &Data<C, S>, format: Format) -> Vec<u8> {
    let mut bytes = Vec::new();
    save(&mut bytes, format, &LAYOUT, data).expect("the crafted data saves");
    bytes
}

/// Loads `bytes` as `Data<C, S>` on another thread; panics if it takes more than a few
/// seconds (the load this guards against never ends, or ends in an abort).
fn load_within<C, S>(bytes: Vec<u8>, format: Format) -> Result<Data<C, S>, LoadError>
where
    Data<C, S>: serde::de::DeserializeOwned + Send + 'static,
{
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sent.send(load::<Data<C, S>>(&bytes[..], format, &LAYOUT));
    });
    received
        .recv_timeout(Duration::from_secs(5))
        .expect("the load ended within 5 s")
}

/// `result` is `LoadError::Corrupt`.
fn assert_corrupt<T>(result: Result<T, LoadError>) {
    match result {
        Err(LoadError::Corrupt(_)) => {}
        Err(e) => panic!("expected `LoadError::Corrupt`, got {e:?}"),
        Ok(_) => panic!("expected `LoadError::Corrupt`, the load succeeded"),
    }
}

const HUGE: usize = 1 << 40;

#[test]
fn a_huge_length_for_a_zero_sized_column_is_corrupt_at_once() {
    let bytes = bytes_of(&data((Claimed(HUGE),), saved(&[Marker])), Format::Binary);
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<Marker>>(
        bytes,
        Format::Binary,
    ));
}

#[test]
fn a_huge_length_for_a_zero_byte_column_is_corrupt_at_once() {
    let bytes = bytes_of(
        &data((Claimed(HUGE),), saved(&[Skipped::default()])),
        Format::Binary,
    );
    assert_corrupt(load_within::<(Vec<Skipped>,), Vec<Skipped>>(
        bytes,
        Format::Binary,
    ));
}

#[test]
fn a_huge_length_for_a_later_column_or_a_sparse_set_is_corrupt_at_once() {
    let bytes = bytes_of(
        &data((saved(&[7u32]), Claimed(HUGE)), saved(&[Marker])),
        Format::Binary,
    );
    assert_corrupt(load_within::<(Vec<u32>, Vec<Marker>), Vec<Marker>>(
        bytes,
        Format::Binary,
    ));
    let bytes = bytes_of(&data((saved(&[Marker]),), Claimed(HUGE)), Format::Binary);
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<Skipped>>(
        bytes,
        Format::Binary,
    ));
}

#[test]
fn a_huge_count_in_a_binary_chunk_is_corrupt_at_once() {
    // Values of no size and values of no bytes, in a table and in a sparse set.
    let bytes = bytes_of(
        &data((ClaimedChunk(HUGE),), saved(&[Marker])),
        Format::Binary,
    );
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<Marker>>(
        bytes,
        Format::Binary,
    ));
    let bytes = bytes_of(
        &data((ClaimedChunk(HUGE),), saved(&[Skipped::default()])),
        Format::Binary,
    );
    assert_corrupt(load_within::<(Vec<Skipped>,), Vec<Skipped>>(
        bytes,
        Format::Binary,
    ));
    let bytes = bytes_of(
        &data((saved(&[Marker]),), ClaimedChunk(HUGE)),
        Format::Binary,
    );
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<u32>>(
        bytes,
        Format::Binary,
    ));
    // A chunk of no values (a column of them would not end), and one value more than
    // the table's one row, are refused too.
    let bytes = bytes_of(&data((ClaimedChunk(0),), saved(&[Marker])), Format::Binary);
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<Marker>>(
        bytes,
        Format::Binary,
    ));
    let bytes = bytes_of(&data((ClaimedChunk(2),), saved(&[Marker])), Format::Binary);
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<Marker>>(
        bytes,
        Format::Binary,
    ));
}

#[test]
fn a_json_column_longer_than_its_table_is_corrupt() {
    // JSON writes no length: the values are counted as they come.
    let bytes = bytes_of(
        &data((saved(&[Marker, Marker, Marker]),), saved(&[Marker])),
        Format::Json,
    );
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<Marker>>(
        bytes,
        Format::Json,
    ));
    let bytes = bytes_of(
        &data((saved(&[Marker]),), saved(&[Marker, Marker])),
        Format::Json,
    );
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<Marker>>(
        bytes,
        Format::Json,
    ));
    // Values with a size, and values of zero bytes with a size (`{}` in JSON).
    let skipped = || Skipped::default();
    let bytes = bytes_of(
        &data((saved(&[skipped(), skipped()]),), saved(&[1u32])),
        Format::Json,
    );
    assert_corrupt(load_within::<(Vec<Skipped>,), Vec<u32>>(
        bytes,
        Format::Json,
    ));
    let bytes = bytes_of(
        &data((saved(&[Marker]),), saved(&[1u32, 2, 3])),
        Format::Json,
    );
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<u32>>(bytes, Format::Json));
}

#[test]
fn a_binary_column_longer_than_its_table_is_corrupt() {
    let bytes = bytes_of(
        &data((saved(&[Marker]),), saved(&[1u32, 2, 3])),
        Format::Binary,
    );
    assert_corrupt(load_within::<(Vec<Marker>,), Vec<u32>>(
        bytes,
        Format::Binary,
    ));
}

#[test]
fn columns_as_long_as_their_table_or_shorter_still_read() {
    for format in [Format::Binary, Format::Json] {
        let bytes = bytes_of(
            &data((saved(&[Marker]),), saved(&[Skipped::default()])),
            format,
        );
        let read = load_within::<(Vec<Marker>,), Vec<Skipped>>(bytes, format).unwrap();
        assert_eq!(read.tables.0.columns.0, vec![Marker]);
        assert_eq!(read.sparse.0.columns, vec![Skipped::default()]);
        // A shorter column is the fill's to report (an inconsistent world).
        let bytes = bytes_of(&data((saved::<Marker>(&[]),), saved::<Marker>(&[])), format);
        let read = load_within::<(Vec<Marker>,), Vec<Marker>>(bytes, format).unwrap();
        assert!(read.tables.0.columns.0.is_empty());
    }
}

#[test]
fn json_tables_need_their_row_owners_before_their_columns() {
    let bytes = bytes_of(&data((saved(&[Marker]),), saved(&[Marker])), Format::Json);
    let text = String::from_utf8(bytes).unwrap();
    let swapped = text.replacen(
        r#"{"entities":[[0,0]],"columns":[[null]]}"#,
        r#"{"columns":[[null]],"entities":[[0,0]]}"#,
        1,
    );
    assert_ne!(swapped, text, "the table is written as expected: {text}");
    match load_within::<(Vec<Marker>,), Vec<Marker>>(swapped.into_bytes(), Format::Json) {
        Err(LoadError::Corrupt(what)) => assert!(what.contains("after its `entities`"), "{what}"),
        other => panic!("expected `LoadError::Corrupt`, got {:?}", other.map(|_| ())),
    }
}

/// A binary list (see `lists`) in runs: one run of `count` values from 0 on, step 1
/// (no run for 0).
struct ClaimedRun(u64);

impl Serialize for ClaimedRun {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Runs(u64);
        impl Serialize for Runs {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let runs = usize::from(self.0 > 0);
                let mut seq = serializer.serialize_seq(Some(runs))?;
                if runs > 0 {
                    seq.serialize_element(&(0u64, self.0 << 1 | 1))?;
                }
                seq.end()
            }
        }
        let mut tuple = serializer.serialize_tuple(2)?;
        tuple.serialize_element(&1u8)?;
        tuple.serialize_element(&Runs(self.0))?;
        tuple.end()
    }
}

/// A table as a save writes it, its row owners `E` crafted.
#[derive(Serialize)]
struct CraftedTable<E, C> {
    entities: E,
    columns: C,
}

/// The entity index as a save writes it, its generations `G` crafted.
#[derive(Serialize)]
struct CraftedSlots<G> {
    generations: G,
    free: ClaimedRun,
}

#[test]
fn a_huge_run_in_an_entity_list_is_corrupt_at_once() {
    let huge = HUGE as u64;
    let slots = |generations| CraftedSlots {
        generations,
        free: ClaimedRun(0),
    };
    let table = |entities| CraftedTable {
        entities,
        columns: (saved(&[Marker]),),
    };
    let sparse = |entities| CraftedTable {
        entities,
        columns: saved(&[Marker]),
    };
    let world = |entities, tables, sparse| WorldData {
        entities,
        clock: Clock::default(),
        tables,
        sparse,
        resources: (),
    };
    // The generations, a table's row owners, a sparse set's owners: each claims 2^40
    // values in a few bytes.
    let crafted = [
        bytes_of_any(&world(
            slots(ClaimedRun(huge)),
            (table(ClaimedRun(1)),),
            (sparse(ClaimedRun(1)),),
        )),
        bytes_of_any(&world(
            slots(ClaimedRun(1)),
            (table(ClaimedRun(huge)),),
            (sparse(ClaimedRun(1)),),
        )),
        bytes_of_any(&world(
            slots(ClaimedRun(1)),
            (table(ClaimedRun(1)),),
            (sparse(ClaimedRun(huge)),),
        )),
    ];
    // As crafted, with one value per list instead, the save loads (the crafting is right).
    let fine = bytes_of_any(&world(
        slots(ClaimedRun(1)),
        (table(ClaimedRun(1)),),
        (sparse(ClaimedRun(1)),),
    ));
    let read = load_within::<(Vec<Marker>,), Vec<Marker>>(fine, Format::Binary).unwrap();
    assert_eq!(read.entities.generations, [0]);
    assert_eq!(read.tables.0.entities, [Entity::from_bits(0)]);
    for bytes in crafted {
        assert_corrupt(load_within::<(Vec<Marker>,), Vec<Marker>>(
            bytes,
            Format::Binary,
        ));
    }
}

/// The binary save of any `data` (crafted).
fn bytes_of_any<D: Serialize>(data: &D) -> Vec<u8> {
    let mut bytes = Vec::new();
    save(&mut bytes, Format::Binary, &LAYOUT, data).expect("the crafted data saves");
    bytes
}
