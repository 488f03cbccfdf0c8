//! GraphDesk's entry point: hands over to the library so the same builder serves the app and its tests.

// Release builds on Windows are GUI programs: no console window behind the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    graphdesk_lib::run();
}
