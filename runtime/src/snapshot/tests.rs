use super::*;

#[test]
fn same_lengths_names_the_table() {
    assert!(same_lengths("Unit", &[]).is_ok());
    assert!(same_lengths("Unit", &[3, 3]).is_ok());
    let err = same_lengths("Unit", &[3, 2]).unwrap_err();
    assert!(err.contains("`Unit`") && err.contains("[3, 2]"), "{err}");
}
