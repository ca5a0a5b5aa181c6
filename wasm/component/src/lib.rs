//! wit-bindgen exports of the `cashier:cache` component (filled in by the component work).
