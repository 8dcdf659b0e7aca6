package dev.streamlens.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.UncheckedIOException;

/** The one JSON configuration for events and metrics rows: snake_case fields, ISO-8601 instants. */
public final class EventJson {

    /**
     * Bounds applied while reading any JSON document, before the event's own rules: a hostile
     * body cannot make the parser recurse deeply or build huge strings and numbers.
     */
    static final StreamReadConstraints READ_CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(64)
            .maxStringLength(1_000_000)
            .maxNumberLength(64)
            .build();

    private static final ObjectMapper MAPPER = newMapper();

    private EventJson() {}

    /** A new mapper with StreamLens' settings (thread-safe once configured; share it). */
    public static ObjectMapper newMapper() {
        JsonFactory factory =
                JsonFactory.builder().streamReadConstraints(READ_CONSTRAINTS).build();
        return new ObjectMapper(factory)
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    /** The shared mapper. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** An event or a metrics row as compact UTF-8 JSON. */
    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An event or a metrics row as a compact JSON string. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
