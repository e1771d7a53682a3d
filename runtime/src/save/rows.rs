//! Reading a table's columns bounded by its row count: a [`TableData`] is read row owners
//! first, then each column as a sequence of at most as many values as there are row
//! owners. The row owners cost the input 8 bytes an entity written raw, a few bytes for
//! up to 2^20 of them in runs (`lists`), so no length written in the input can make a
//! load loop, and what it allocates is bounded by the input's size plus at most 2^20
//! rows per table, even for a component whose values take no bytes (a zero-sized type,
//! or one whose fields are all `#[serde(skip)]`): a column longer than its table is an error
//! as soon as its length is read (in the binary form, a chunk's count: see
//! [`super::chunks`]; in JSON, where no length is written, as soon as its values
//! outnumber the rows). A shorter column is left to the fill, which reports it as an
//! inconsistent world.

use super::lists::{self, FromEntities};
use crate::snapshot::TableData;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess,
    Visitor,
};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// The most bytes a column makes room for before its values are read (the rest grows
/// as they come).
const MAX_RESERVED_BYTES: usize = 1 << 20;

/// The columns of a table (a `Vec` per component, in a tuple nested past 12) or of a
/// sparse set (one `Vec`), read with at most `rows` values a column.
#[doc(hidden)]
pub trait Columns<'de>: Sized {
    /// Reads the columns of a table of `rows` row owners.
    fn deserialize_rows<D: Deserializer<'de>>(
        rows: usize,
        deserializer: D,
    ) -> Result<Self, D::Error>;
}

impl<'de, T: DeserializeOwned> Columns<'de> for Vec<T> {
    fn deserialize_rows<D: Deserializer<'de>>(
        rows: usize,
        deserializer: D,
    ) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            // Chunks of values (see `chunks`), each count checked before its values.
            return super::chunks::deserialize(rows, deserializer);
        }
        deserializer.deserialize_seq(ColumnVisitor {
            rows,
            values: PhantomData,
        })
    }
}

/// Reads one column of at most `rows` values.
struct ColumnVisitor<T> {
    rows: usize,
    values: PhantomData<fn() -> T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ColumnVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a column of at most {} values", self.rows)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let hint = seq.size_hint();
        if let Some(len) = hint
            && len > self.rows
        {
            return Err(de::Error::invalid_length(len, &self));
        }
        if size_of::<T>() == 0 {
            return zero_sized(seq, self);
        }
        let room = MAX_RESERVED_BYTES / size_of::<T>();
        let mut values = Vec::with_capacity(hint.unwrap_or(0).min(self.rows).min(room));
        while let Some(value) = seq.next_element()? {
            // The bound is checked where the column grows, not per value: a column of
            // values with a size grows only here, by at most what the table has left.
            if values.len() == values.capacity() {
                if values.len() >= self.rows {
                    return Err(de::Error::invalid_length(values.len() + 1, &self));
                }
                values.reserve_exact(values.len().max(8).min(self.rows - values.len()));
            }
            values.push(value);
        }
        // (`reserve_exact` may give more room than asked.)
        if values.len() > self.rows {
            return Err(de::Error::invalid_length(values.len(), &self));
        }
        Ok(values)
    }
}

/// Reads a column of zero-sized values (a `Vec` of them never runs out of room): counted
/// as they come, at most `column.rows`.
fn zero_sized<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
    mut seq: A,
    column: ColumnVisitor<T>,
) -> Result<Vec<T>, A::Error> {
    let mut values = Vec::new();
    // Counted as they come: a format that writes no length (JSON) is bounded too.
    while values.len() < column.rows {
        match seq.next_element()? {
            Some(value) => values.push(value),
            None => return Ok(values),
        }
    }
    match seq.next_element::<IgnoredAny>()? {
        None => Ok(values),
        Some(IgnoredAny) => Err(de::Error::invalid_length(values.len() + 1, &column)),
    }
}

/// Reads one element of a tuple of columns, with the table's row count.
struct RowsSeed<C> {
    rows: usize,
    columns: PhantomData<fn() -> C>,
}

impl<C> RowsSeed<C> {
    fn new(rows: usize) -> Self {
        RowsSeed {
            rows,
            columns: PhantomData,
        }
    }
}

impl<'de, C: Columns<'de>> DeserializeSeed<'de> for RowsSeed<C> {
    type Value = C;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<C, D::Error> {
        C::deserialize_rows(self.rows, deserializer)
    }
}

/// `Columns` for a tuple of `Columns` of each arity up to 12 (a world's column tuples
/// nest past 12, so every element is a column or a nested tuple).
macro_rules! tuple_columns {
    ($len:expr; $($name:ident)*) => {
        impl<'de, $($name: Columns<'de>),*> Columns<'de> for ($($name,)*) {
            #[allow(unused_variables, non_snake_case)]
            fn deserialize_rows<D: Deserializer<'de>>(
                rows: usize,
                deserializer: D,
            ) -> Result<Self, D::Error> {
                #[allow(dead_code)] // the row count is unread in the tuple of no columns
                struct TupleVisitor<$($name),*>(usize, PhantomData<fn() -> ($($name,)*)>);

                impl<'de, $($name: Columns<'de>),*> Visitor<'de> for TupleVisitor<$($name),*> {
                    type Value = ($($name,)*);

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a tuple of {} columns", $len)
                    }

                    #[allow(unused_mut, unused_assignments)]
                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                        let mut index = 0;
                        $(
                            let $name = seq
                                .next_element_seed(RowsSeed::<$name>::new(self.0))?
                                .ok_or_else(|| de::Error::invalid_length(index, &self))?;
                            index += 1;
                        )*
                        Ok(($($name,)*))
                    }
                }

                deserializer.deserialize_tuple($len, TupleVisitor::<$($name),*>(rows, PhantomData))
            }
        }
    };
}

tuple_columns!(0;);
tuple_columns!(1; C0);
tuple_columns!(2; C0 C1);
tuple_columns!(3; C0 C1 C2);
tuple_columns!(4; C0 C1 C2 C3);
tuple_columns!(5; C0 C1 C2 C3 C4);
tuple_columns!(6; C0 C1 C2 C3 C4 C5);
tuple_columns!(7; C0 C1 C2 C3 C4 C5 C6);
tuple_columns!(8; C0 C1 C2 C3 C4 C5 C6 C7);
tuple_columns!(9; C0 C1 C2 C3 C4 C5 C6 C7 C8);
tuple_columns!(10; C0 C1 C2 C3 C4 C5 C6 C7 C8 C9);
tuple_columns!(11; C0 C1 C2 C3 C4 C5 C6 C7 C8 C9 C10);
tuple_columns!(12; C0 C1 C2 C3 C4 C5 C6 C7 C8 C9 C10 C11);

const FIELDS: &[&str] = &["entities", "columns"];

impl<'de, E: FromEntities, C: Columns<'de>> Deserialize<'de> for TableData<E, C> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("TableData", FIELDS, TableVisitor(PhantomData))
    }
}

/// Reads a table: its row owners, then its columns bounded by their count.
struct TableVisitor<E, C>(PhantomData<fn() -> (E, C)>);

/// Reads a table's row owners (see [`lists`]), returning them and their count.
struct Owners;

impl<'de> DeserializeSeed<'de> for Owners {
    type Value = Vec<crate::entity::Entity>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        lists::deserialize_entities(deserializer)
    }
}

impl<'de, E: FromEntities, C: Columns<'de>> Visitor<'de> for TableVisitor<E, C> {
    type Value = TableData<E, C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a table: its row owners, then its columns")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let entities = seq
            .next_element_seed(Owners)?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let columns = seq
            .next_element_seed(RowsSeed::<C>::new(entities.len()))?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Ok(TableData {
            entities: E::from_entities(entities),
            columns,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // The row owners come first (a save writes them first): the columns are read
        // bounded by their count.
        let mut entities = None;
        let mut columns = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "entities" if entities.is_some() => {
                    return Err(de::Error::duplicate_field("entities"));
                }
                "entities" => entities = Some(map.next_value_seed(Owners)?),
                "columns" if columns.is_some() => {
                    return Err(de::Error::duplicate_field("columns"));
                }
                "columns" => {
                    let Some(owners) = &entities else {
                        return Err(de::Error::custom(
                            "a table's `columns` come after its `entities`",
                        ));
                    };
                    columns = Some(map.next_value_seed(RowsSeed::<C>::new(owners.len()))?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let entities = entities.ok_or_else(|| de::Error::missing_field("entities"))?;
        let columns = columns.ok_or_else(|| de::Error::missing_field("columns"))?;
        Ok(TableData {
            entities: E::from_entities(entities),
            columns,
        })
    }
}

#[cfg(test)]
mod tests;
