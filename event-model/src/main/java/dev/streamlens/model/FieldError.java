package dev.streamlens.model;

/** One violation found in an event: the JSON field it concerns and why it was refused. */
public record FieldError(String field, String reason) {}
