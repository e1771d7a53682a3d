use super::rewrite_query_loops;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The body after the rewrite, with `q` and `p` the system's queries.
fn rewritten(body: TokenStream) -> String {
    let mut block: syn::Block = syn::parse2(quote!({ #body })).expect("a block");
    rewrite_query_loops(&mut block, &[format_ident!("q"), format_ident!("p")]);
    quote!(#block).to_string()
}

/// How many loops over a query became `fold` calls.
fn folds(body: TokenStream) -> usize {
    rewritten(body)
        .matches(":: core :: iter :: Iterator :: fold")
        .count()
}

#[test]
fn a_plain_loop_over_a_query_becomes_a_fold() {
    let out = rewritten(quote!(for (a, b) in q.iter_mut() {
        std::mem::swap(&mut a.0, &mut b.0);
    }));
    let expected = quote!({
        {
            let ((),) = ::core::iter::Iterator::fold(
                ::core::iter::IntoIterator::into_iter(q.iter_mut()),
                ((),),
                #[inline(always)]
                |((),), (a, b)| -> ((),) {
                    ({
                        std::mem::swap(&mut a.0, &mut b.0);
                    },)
                },
            );
        }
    });
    assert_eq!(out, expected.to_string());
}

#[test]
fn every_way_of_naming_the_query_is_rewritten() {
    assert_eq!(
        folds(quote!(for a in q.iter() {
            n += a.0;
        })),
        1
    );
    assert_eq!(
        folds(quote!(for a in q.iter_mut() {
            a.0 += 1;
        })),
        1
    );
    assert_eq!(
        folds(quote!(for a in &q {
            n += a.0;
        })),
        1
    );
    assert_eq!(
        folds(quote!(for a in &mut p {
            a.0 += 1;
        })),
        1
    );
}

#[test]
fn other_iterators_are_left_alone() {
    assert_eq!(
        folds(quote!(for a in v.iter() {
            n += a;
        })),
        0
    );
    assert_eq!(
        folds(quote!(for a in 0..10 {
            n += a;
        })),
        0
    );
    assert_eq!(
        folds(quote!(for a in q.iter().skip(1) {
            n += a.0;
        })),
        0
    );
    assert_eq!(
        folds(quote!(for a in q.get(e) {
            n += a.0;
        })),
        0
    );
    assert_eq!(
        folds(quote!(for a in self.q.iter() {
            n += a.0;
        })),
        0
    );
}

#[test]
fn loops_that_can_leave_early_are_left_alone() {
    let refused = [
        quote!('outer: for a in q.iter() {
            n += a.0;
        }),
        quote!(for a in q.iter() {
            if a.0 > 1.0 {
                break;
            }
        }),
        quote!(for a in q.iter() {
            if a.0 > 1.0 {
                continue;
            }
            n += 1;
        }),
        quote!(for a in q.iter() {
            if a.0 > 1.0 {
                return;
            }
        }),
        quote!(for a in q.iter() {
            n += parse(a)?;
        }),
        quote!(for a in q.iter() {
            f(a).await;
        }),
        quote!(for a in q.iter() {
            yield a;
        }),
        // Labeled ones, even aimed at a nested loop or block.
        quote!(for a in q.iter() {
            'inner: loop {
                break 'inner;
            }
        }),
        quote!(for a in q.iter() {
            'b: {
                if a.0 > 1.0 {
                    break 'b;
                }
            }
        }),
        // An unlabeled `break` in a labeled block aims at the enclosing loop.
        quote!(for a in q.iter() {
            'b: {
                break;
            }
        }),
        // A nested loop's iterator expression is evaluated in this loop.
        quote!(for a in q.iter() {
            for x in {
                if a.0 > 1.0 {
                    break;
                }
                v.iter()
            } {
                n += x;
            }
        }),
        quote!(for a in q.iter() {
            while {
                if a.0 > 1.0 {
                    break;
                }
                true
            } {}
        }),
        // The `return` of a nested loop that stays a loop still leaves the function.
        quote!(for a in q.iter() {
            for x in v.iter() {
                if *x {
                    return;
                }
            }
        }),
        // `let ... else` diverges through the function or the loop.
        quote!(for a in q.iter() {
            let Some(x) = a.0 else { continue };
            n += x;
        }),
    ];
    for body in refused {
        assert_eq!(folds(body.clone()), 0, "{body}");
    }
}

#[test]
fn control_flow_owned_by_something_nested_is_fine() {
    let accepted = [
        quote!(for a in q.iter() {
            for x in v.iter() {
                if *x {
                    break;
                }
                n += 1;
            }
        }),
        quote!(for a in q.iter() {
            while n < 3 {
                n += 1;
                continue;
            }
        }),
        quote!(for a in q.iter() {
            loop {
                break;
            }
        }),
        quote!(for a in q.iter() {
            let f = |x: u32| -> Option<u32> {
                if x > 1 {
                    return None;
                }
                Some(x?)
            };
        }),
        quote!(for a in q.iter() {
            let fut = async { g().await };
        }),
        quote!(for a in q.iter() {
            fn helper() -> u32 {
                return 1;
            }
            n += helper();
        }),
        quote!(for a in q.iter() {
            let x = loop {
                break 5;
            };
            n += x;
        }),
    ];
    for body in accepted {
        assert_eq!(folds(body.clone()), 1, "{body}");
    }
}

#[test]
fn only_transparent_macros_with_plain_arguments_are_allowed() {
    assert_eq!(
        folds(quote!(for a in q.iter() {
            println!("{:?}", a);
        })),
        1
    );
    assert_eq!(
        folds(quote!(for a in q.iter() {
            std::assert_eq!(a.0, 1.0);
        })),
        1
    );
    assert_eq!(
        folds(quote!(for a in q.iter() {
            ::core::debug_assert!(a.0 > 0.0);
        })),
        1
    );
    assert_eq!(
        folds(quote!(for a in q.iter() {
            let v = vec![a.0; 3];
            n += v.len();
        })),
        1
    );
    // An unknown macro could expand to anything.
    assert_eq!(
        folds(quote!(for a in q.iter() {
            my_macro!(a);
        })),
        0
    );
    assert_eq!(
        folds(quote!(for a in q.iter() {
            crate::println!("{:?}", a);
        })),
        0
    );
    // Arguments holding control flow.
    assert_eq!(
        folds(quote!(for a in q.iter() {
            println!("{}", f(a)?);
        })),
        0
    );
    assert_eq!(
        folds(quote!(for a in q.iter() {
            assert!({
                if a.0 > 1.0 {
                    return;
                }
                true
            });
        })),
        0
    );
    assert_eq!(
        folds(quote!(for a in q.iter() {
            let v = vec![loop {
                break 1;
            }];
        })),
        0
    );
}

#[test]
fn nested_loops_closures_and_blocks_are_reached() {
    // Both the outer and the inner loop (inner first).
    assert_eq!(
        folds(quote!(for a in q.iter() {
            for b in p.iter() {
                n += 1;
            }
        })),
        2
    );
    // An inner loop that stays a loop keeps the outer one eligible when its `break`
    // is its own.
    assert_eq!(
        folds(quote!(for a in q.iter() {
            for b in p.iter() {
                if n > 3 {
                    break;
                }
                n += 1;
            }
        })),
        1
    );
    // An inner `return` keeps both as loops.
    assert_eq!(
        folds(quote!(for a in q.iter() {
            for b in p.iter() {
                if n > 3 {
                    return;
                }
            }
        })),
        0
    );
    assert_eq!(
        folds(quote!(let f = |n: &mut u32| { for a in q.iter() { *n += 1; } };)),
        1
    );
    assert_eq!(
        folds(quote!(if ready {
            {
                for a in q.iter() {
                    n += 1;
                }
            }
        })),
        1
    );
}

#[test]
fn nested_items_are_not_the_system() {
    assert_eq!(
        folds(quote!(
            fn inner(q: Vec<u32>) {
                for a in q.iter() {
                    n += a;
                }
            }
        )),
        0
    );
    assert_eq!(
        folds(quote!(impl S { fn f(&self, q: &[u32]) { for a in q.iter() {} } })),
        0
    );
}

#[test]
fn the_value_stays_unit_where_the_loop_is_a_tail_or_a_value() {
    // As a block's tail: the rewrite is a block without a tail.
    let out = rewritten(quote!(let x = { for a in q.iter() { n += 1; } };));
    assert!(
        out.contains("let x = { { let ((") && out.ends_with(") ; } } ; }"),
        "{out}"
    );
    // Or-patterns are parenthesised for the closure.
    let out = rewritten(quote!(for Ok(a) | Err(a) in q.iter() {
        n += a;
    }));
    assert!(
        out.contains("| ((") && out.contains("(Ok (a) | Err (a))"),
        "{out}"
    );
}

#[test]
fn attributes_of_the_loop_are_kept() {
    let out = rewritten(quote!(
        #[allow(unused_variables)]
        for a in q.iter() {}
    ));
    assert!(
        out.starts_with("{ # [allow (unused_variables)] { let (("),
        "{out}"
    );
}
