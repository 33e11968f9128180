pub mod analyze;
pub mod check;
pub mod layout;

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
pub enum Format {
    Text,
    Json,
}
