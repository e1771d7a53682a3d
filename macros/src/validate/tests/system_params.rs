//! `#[system]` parameters: the recognised kinds, exclusive systems, `Outbox`, unsupported
//! types and parameters that alias (diagnostic 9).

use proc_macro2::TokenStream;
use quote::quote;

use super::{system_errors, system_ok};
use crate::model::ParamKind;

#[test]
fn system_parameters_are_recognised() {
    let model = system_ok(quote!(
        pub fn integrate<'w>(
            time: Res<Time>,
            mut movers: Query<
                'w,
                'w,
                (&'w mut Position, &Velocity, Option<&Health>, Entity),
                (With<Player>, Without<Frozen>),
            >,
            _: ResMut<Score>,
            mut commands: Commands<'w>,
            mut counter: metronome::Local<u32>,
            other: Query<((&A, &B), Option<&mut C>)>,
        ) {
        }
    ));
    assert_eq!(model.params.len(), 6);
    assert!(matches!(model.params[0].kind, ParamKind::Res(_)));
    let ParamKind::Query { data, filter } = &model.params[1].kind else {
        panic!("query");
    };
    assert_eq!(
        crate::validate::key_of(data),
        "(&mutPosition,&Velocity,Option<&Health>,Entity)"
    );
    assert_eq!(
        crate::validate::key_of(filter.as_ref().expect("filter")),
        "(With<Player>,Without<Frozen>)"
    );
    let access = model.params[1].access.as_ref().expect("access");
    let data: Vec<(String, bool, bool)> = access
        .data
        .iter()
        .map(|d| (crate::validate::key_of(&d.ty), d.mutable, d.optional))
        .collect();
    assert_eq!(
        data,
        [
            ("Position".into(), true, false),
            ("Velocity".into(), false, false),
            ("Health".into(), false, true),
        ]
    );
    assert!(access.entity);
    assert_eq!(access.with.len(), 1);
    assert_eq!(access.without.len(), 1);
    assert!(matches!(model.params[2].kind, ParamKind::ResMut(_)));
    assert!(matches!(model.params[3].kind, ParamKind::Commands));
    assert!(matches!(model.params[4].kind, ParamKind::Local(_)));
    assert_eq!(
        model.params[5].access.as_ref().expect("access").data.len(),
        3
    );
    assert!(model.params[2].access.is_none());
}

#[test]
fn resource_types_keep_their_lifetimes() {
    let model = system_ok(quote!(
        fn f(a: Res<&'static str>, b: Query<&'static Position>) {}
    ));
    let ParamKind::Res(ty) = &model.params[0].kind else {
        panic!("res");
    };
    assert_eq!(crate::validate::key_of(ty), "&'staticstr");
    let ParamKind::Query { data, .. } = &model.params[1].kind else {
        panic!("query");
    };
    assert_eq!(crate::validate::key_of(data), "&Position");
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&Position, &Entity)>) {}
        )),
        ["`Entity` is not a component; write `Entity` without `&` to get the entity in a query"]
    );
}

#[test]
fn an_exclusive_system_takes_the_world_alone() {
    let model = crate::validate::system(
        quote!(),
        quote!(
            fn rebuild(game: &mut Game) {}
        ),
    )
    .ok()
    .expect("valid exclusive system");
    assert_eq!(model.params.len(), 1);
    assert!(matches!(&model.params[0].kind, ParamKind::Exclusive(_)));
}

#[test]
fn an_exclusive_system_cannot_tick_its_world() {
    let message = |m: &str| {
        format!("exclusive system `rebuild` calls `{m}` on its world; an exclusive system runs inside a tick, so it may call every world method but `tick` and `run_phase`: move the call out of the system, or list the work it needs as systems of a phase")
    };
    assert_eq!(
        system_errors(quote!(
            fn rebuild(game: &mut Game) {
                game.spawn((A,));
                game.tick();
                if true {
                    (*game).run_phase(GamePhase::Update);
                }
                Game::tick(game);
                World::run_phase(&mut *game, GamePhase::Update);
            }
        )),
        [
            message("tick"),
            message("run_phase"),
            message("tick"),
            message("run_phase")
        ]
    );
    // Another value's `tick` (a timer resource) is fine.
    let model = crate::validate::system(
        quote!(),
        quote!(
            fn rebuild(game: &mut Game) {
                game.resource_mut::<Timer>().tick();
                other.tick();
            }
        ),
    );
    assert!(model.is_ok());
}

#[test]
fn outbox_parameter() {
    let model = crate::validate::system(
        quote!(),
        quote!(
            fn leave(mut outbox: Outbox, q: Query<Entity>) {}
        ),
    )
    .ok()
    .expect("`Outbox` is a parameter");
    assert!(matches!(model.params[0].kind, ParamKind::Outbox));
    assert_eq!(
        system_errors(quote!(
            fn f(outbox: Outbox<u8>) {}
        )),
        ["`Outbox` takes no type parameter; write `Outbox`"]
    );
}

#[test]
fn unsupported_parameters() {
    assert_eq!(
        system_errors(quote!(fn f(x: u32, y: &World, z: Vec<u8>) {})),
        [
            "unsupported system parameter type `u32`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
            "unsupported system parameter type `&World`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
            "unsupported system parameter type `Vec<u8>`; a system takes `Query`, `Res`, `ResMut`, `Commands`, `Local`, `EventWriter`, `EventReader`, `Outbox` and `RemovedComponents` parameters",
        ]
    );
    // `&mut W` makes the system exclusive: every other parameter is reported.
    assert_eq!(
        system_errors(quote!(fn f(x: u32, y: &mut World, z: Vec<u8>) {})),
        [
            "exclusive system `f` takes `&mut World` and no other parameter, since it has the whole world; remove `u32` and use the world's methods instead (`query_mut`, `resource_mut`, `spawn`, ...), or move this work into an ordinary system",
            "exclusive system `f` takes `&mut World` and no other parameter, since it has the whole world; remove `Vec<u8>` and use the world's methods instead (`query_mut`, `resource_mut`, `spawn`, ...), or move this work into an ordinary system",
        ]
    );
    assert_eq!(
        system_errors(quote!(fn f(a: Res, b: Res<A, B>, c: Commands<X>, d: Query, e: Query<A, B, C>) {})),
        [
            "`Res` takes exactly one type, as in `Res<Time>`",
            "`Res` takes exactly one type, as in `Res<Time>`",
            "`Commands` takes no type parameter; write `Commands`",
            "`Query` takes query data and an optional filter, as in `Query<&Position>` or `Query<(&mut Position, &Velocity), With<Player>>`",
            "`Query` takes query data and an optional filter, as in `Query<&Position>` or `Query<(&mut Position, &Velocity), With<Player>>`",
        ]
    );
    assert_eq!(
        system_errors(quote!(fn f(a: Query<Position>, b: Query<&Position, Recent<Position>>, c: Query<Option<Position>>, d: Query<&[u8]>) {})),
        [
            "unsupported query data `Position`; query data is `&T`, `&mut T`, `Tracked<T>`, `Option<&T>`, `Option<&mut T>`, `Entity` or a tuple of these",
            "unsupported query filter `Recent<Position>`; a filter is `With<T>`, `Without<T>`, `Added<T>`, `Changed<T>` or a tuple of them",
            "unsupported query data `Option<Position>`; query data is `&T`, `&mut T`, `Tracked<T>`, `Option<&T>`, `Option<&mut T>`, `Entity` or a tuple of these",
            "component `[u8]` must be a type path such as `Position` or `physics::Position`",
        ]
    );
    let thirteen: Vec<TokenStream> = (0..13u32)
        .map(|i| {
            let name = quote::format_ident!("C{}", i);
            quote!(&#name)
        })
        .collect();
    assert_eq!(
        system_errors(quote!(fn f(q: Query<(#(#thirteen),*)>) {})),
        ["a query tuple holds at most 12 elements; nest tuples to group more, as in `((&A, &B), &C)`"]
    );
    let twelve = &thirteen[..12];
    system_ok(quote!(fn f(q: Query<((#(#twelve),*), &D)>) {}));
}

#[test]
fn diag9_query_aliasing_itself() {
    let message = "query accesses `Position` mutably and again in the same query; a component may be borrowed once when one borrow is mutable, keep only `&mut Position` (it also reads)";
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&mut Position, &Position)>) {}
        )),
        [message]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&Position, (&Velocity, &mut Position))>) {}
        )),
        [message]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(q: Query<(&mut Position, Option<&mut Position>, &mut Position)>) {}
        )),
        [message]
    );
    system_ok(quote!(
        fn f(q: Query<(&Position, &Position)>) {}
    ));
    assert_eq!(
        system_errors(quote!(fn f(q: Query<&Position, Without<Position>>) {})),
        ["query requires `Position` and excludes it with `Without<Position>`, so it matches nothing; remove one of them"]
    );
    system_ok(quote!(
        fn f(q: Query<Option<&Position>, Without<Position>>) {}
    ));
}

#[test]
fn diag9_parameters_conflicting() {
    assert_eq!(
        system_errors(quote!(fn f(a: Res<Time>, b: ResMut<Time>) {})),
        ["resource `Time` is borrowed mutably and again in this system (`Res<Time>` and `ResMut<Time>`); keep only the `ResMut<Time>`, it also reads"]
    );
    assert_eq!(
        system_errors(quote!(
            fn f(a: ResMut<Time>, b: ResMut<Time>) {}
        )),
        ["resource `Time` is borrowed mutably twice in this system; keep one `ResMut<Time>`"]
    );
    system_ok(quote!(
        fn f(a: Res<Time>, b: Res<Time>, c: ResMut<Score>, d: Commands, e: Commands) {}
    ));
    assert_eq!(
        system_errors(quote!(fn f(a: Query<&mut Position>, b: Query<(&Velocity, &Position)>) {})),
        ["`Query<(&Velocity, &Position)>` conflicts with `Query<&mut Position>` of the same system: both access `Position` and one of them mutably; make the queries disjoint with `With<C>` on one and `Without<C>` on the other, or merge them into one query"]
    );
    // Whether these meet depends on the world (an archetype with `Position` and
    // `Velocity`): left to the world's per-column check, not rejected here.
    system_ok(quote!(
        fn f(a: Query<&Position>, b: Query<Option<&mut Position>, With<Velocity>>) {}
    ));
    system_ok(quote!(
        fn f(a: Query<&mut Position, With<Velocity>>, b: Query<&Position, With<Health>>) {}
    ));
    // Disjoint through `With`/`Without` or a required component.
    system_ok(quote!(
        fn f(a: Query<&mut Position, With<Velocity>>, b: Query<&Position, Without<Velocity>>) {}
    ));
    system_ok(quote!(
        fn f(a: Query<(&mut Position, &Velocity)>, b: Query<&mut Position, (Without<Velocity>,)>) {}
    ));
    system_ok(quote!(
        fn f(a: Query<&mut Position, Without<Player>>, b: Query<(&mut Position, &Player)>) {}
    ));
    // An optional component does not make a query disjoint.
    assert_eq!(
        system_errors(quote!(
            fn f(
                a: Query<(&mut Position, Option<&Velocity>)>,
                b: Query<&Position, Without<Velocity>>,
            ) {
            }
        ))
        .len(),
        1
    );
    // Reads never conflict.
    system_ok(quote!(
        fn f(a: Query<&Position>, b: Query<(Entity, &Position)>) {}
    ));
}
