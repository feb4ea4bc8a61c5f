package io.stmactors.actors.isolated;

/** Wraps a value (possibly null) so that any reference value, message or state can be encoded. */
record Boxed(Object value) {
}
