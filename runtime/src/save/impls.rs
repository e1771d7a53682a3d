//! `Serialize`/`Deserialize` of the runtime's types that a world's data holds: entities
//! (as `(index, generation)`), `State<S>`, `NextState<S>`, `ChildOf` and `Children`.

use crate::entity::Entity;
use crate::hierarchy::{ChildOf, Children};
use crate::state::{NextState, State};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

impl Serialize for Entity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.index(), self.generation()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Entity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (index, generation) = <(u32, u32)>::deserialize(deserializer)?;
        Ok(Entity::from_bits((generation as u64) << 32 | index as u64))
    }
}

/// `State<S>` as saved: the value and whether its `OnEnter` systems ran.
#[derive(Serialize, Deserialize)]
struct StateData<S> {
    value: S,
    entered: bool,
}

impl<S: Serialize> Serialize for State<S> {
    fn serialize<Se: Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
        StateData {
            value: &self.value,
            entered: self.entered,
        }
        .serialize(serializer)
    }
}

impl<'de, S: Deserialize<'de>> Deserialize<'de> for State<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StateData { value, entered } = StateData::deserialize(deserializer)?;
        Ok(State { value, entered })
    }
}

impl<S: Serialize> Serialize for NextState<S> {
    fn serialize<Se: Serializer>(&self, serializer: Se) -> Result<Se::Ok, Se::Error> {
        self.pending.serialize(serializer)
    }
}

impl<'de, S: Deserialize<'de>> Deserialize<'de> for NextState<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(NextState {
            pending: Option::deserialize(deserializer)?,
        })
    }
}

impl Serialize for ChildOf {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for ChildOf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Entity::deserialize(deserializer).map(ChildOf)
    }
}

impl Serialize for Children {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Children {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::deserialize(deserializer).map(Children)
    }
}
