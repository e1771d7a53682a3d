//! Events, states and run conditions expand to absolute paths: a world
//! using all of them compiles in a `#![no_implicit_prelude]` module, beside user types
//! named like the runtime's (`Events`, `EventCursor`) and std's (`Option`, `Some`).

pub mod no_prelude {
    #![no_implicit_prelude]
    use ::metronome::prelude::*;

    #[derive(Component)]
    pub struct Option(pub u8);

    /// An event type named like the runtime's storage.
    pub struct Events(pub u8);
    /// Another, named like a reader's state.
    pub struct EventCursor;

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Some {
        A,
        B,
    }

    #[derive(Default)]
    pub struct Seen(pub u32);

    #[system]
    pub fn send(mut out: EventWriter<Events>, mut cursors: EventWriter<EventCursor>) {
        out.send(Events(2));
        cursors.send(EventCursor);
    }

    #[system]
    pub fn go(mut next: ResMut<NextState<Some>>) {
        next.set(Some::B);
    }

    #[system]
    pub fn always(state: Res<State<Some>>) -> bool {
        *state.get() == Some::B
    }

    #[system]
    pub fn receive(mut inbox: EventReader<Events>, mut seen: ResMut<Seen>) {
        for e in inbox.read() {
            seen.0 += e.0 as u32;
        }
    }

    #[system]
    pub fn on_b(mut q: Query<&mut Option>) {
        for o in q.iter_mut() {
            o.0 += 1;
        }
    }

    #[world(
        archetypes(Thing = (Option)),
        resources(Seen),
        events(Events, EventCursor),
        states(Some = Some::A),
        phases(Update),
        systems(
            Update = [
                send,
                go.run_if(in_state(Some::A)),
                receive.after(send).run_if(always),
            ],
            OnEnter(Some::B) = [on_b],
        ),
        executor = work_stealing(workers = 2),
    )]
    pub struct Copy;
}

#[test]
fn section_seven_expands_without_the_prelude() {
    use no_prelude as np;
    let mut w = np::Copy::new();
    let e = w.spawn((np::Option(0),));
    w.tick(); // A: `go` asks for B; `receive` does not run
    assert_eq!(w.resource::<np::Seen>().0, 0);
    w.tick(); // enters B; `receive` reads both ticks' events
    assert_eq!(w.state::<np::Some>(), np::Some::B);
    assert_eq!(w.get::<np::Option>(e).map(|o| o.0), Some(1));
    assert_eq!(w.resource::<np::Seen>().0, 4);
    assert_eq!(w.events::<np::EventCursor>().count(), 2);
}
