package dev.streamlens.ingest.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.ToIntFunction;

/**
 * Reads an OTLP/JSON trace export in one streaming pass into the protobuf messages the mapping
 * reads (OTLP specification, "JSON Protobuf Encoding"): ids in hex, 64-bit integers as strings or
 * numbers, enums as integers or names, lowerCamelCase keys (the protobuf field names are accepted
 * too), unknown fields and {@code null} skipped. Only the fields a trace export's GenAI mapping
 * uses are kept; everything else (scopes, events, links, dropped counts) is skipped unread.
 *
 * <p>Why not protobuf's {@code JsonFormat}: it reads ids as base64, so the body had to be parsed,
 * rewritten and printed again first, which made OTLP/JSON a third as fast as protobuf
 * (docs/benchmarks-history.md, issue 14).
 */
final class OtlpJsonReader {

    private static final JsonFactory JSON = new JsonFactory();

    private OtlpJsonReader() {}

    /**
     * @throws IOException              the body is not JSON
     * @throws IllegalArgumentException the JSON is not an OTLP trace export (the message names the field)
     */
    static ExportTraceServiceRequest read(byte[] body) throws IOException {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            ExportTraceServiceRequest.Builder export = ExportTraceServiceRequest.newBuilder();
            eachField(parser, (field, value) -> {
                if (isField(field, "resourceSpans", "resource_spans")) {
                    eachElement(parser, "resourceSpans", value, () -> export.addResourceSpans(resourceSpans(parser)));
                } else {
                    parser.skipChildren();
                }
            });
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("unexpected content after the export object");
            }
            return export.build();
        }
    }

    private static ResourceSpans resourceSpans(JsonParser parser) throws IOException {
        ResourceSpans.Builder resourceSpans = ResourceSpans.newBuilder();
        eachField(parser, (field, value) -> {
            if (field.equals("resource") && value == JsonToken.START_OBJECT) {
                resourceSpans.setResource(resource(parser));
            } else if (isField(field, "scopeSpans", "scope_spans")) {
                eachElement(parser, "scopeSpans", value, () -> resourceSpans.addScopeSpans(scopeSpans(parser)));
            } else {
                refuseIfKept(parser, field, value, "resource");
            }
        });
        return resourceSpans.build();
    }

    private static Resource resource(JsonParser parser) throws IOException {
        Resource.Builder resource = Resource.newBuilder();
        eachField(parser, (field, value) -> {
            if (field.equals("attributes")) {
                eachElement(parser, "resource.attributes", value, () -> resource.addAttributes(keyValue(parser)));
            } else {
                parser.skipChildren();
            }
        });
        return resource.build();
    }

    private static ScopeSpans scopeSpans(JsonParser parser) throws IOException {
        ScopeSpans.Builder scopeSpans = ScopeSpans.newBuilder();
        eachField(parser, (field, value) -> {
            if (field.equals("spans")) {
                eachElement(parser, "spans", value, () -> scopeSpans.addSpans(span(parser)));
            } else {
                parser.skipChildren();
            }
        });
        return scopeSpans.build();
    }

    private static Span span(JsonParser parser) throws IOException {
        Span.Builder span = Span.newBuilder();
        eachField(parser, (field, value) -> {
            switch (field) {
                case "traceId", "trace_id" -> span.setTraceId(hexId(parser, "traceId"));
                case "spanId", "span_id" -> span.setSpanId(hexId(parser, "spanId"));
                case "parentSpanId", "parent_span_id" -> span.setParentSpanId(hexId(parser, "parentSpanId"));
                case "name" -> span.setName(text(parser, "name"));
                case "kind" ->
                    span.setKindValue(enumValue(
                            parser, "kind", name -> Span.SpanKind.valueOf(name).getNumber()));
                case "startTimeUnixNano", "start_time_unix_nano" ->
                    span.setStartTimeUnixNano(unsignedLong(parser, "startTimeUnixNano"));
                case "endTimeUnixNano", "end_time_unix_nano" ->
                    span.setEndTimeUnixNano(unsignedLong(parser, "endTimeUnixNano"));
                case "attributes" ->
                    eachElement(parser, "attributes", value, () -> span.addAttributes(keyValue(parser)));
                case "status" -> {
                    expect(parser, JsonToken.START_OBJECT, "status", "an object");
                    span.setStatus(status(parser));
                }
                default -> parser.skipChildren();
            }
        });
        return span.build();
    }

    private static Status status(JsonParser parser) throws IOException {
        Status.Builder status = Status.newBuilder();
        eachField(parser, (field, value) -> {
            switch (field) {
                case "code" ->
                    status.setCodeValue(enumValue(
                            parser,
                            "status.code",
                            name -> Status.StatusCode.valueOf(name).getNumber()));
                case "message" -> status.setMessage(text(parser, "status.message"));
                default -> parser.skipChildren();
            }
        });
        return status.build();
    }

    private static KeyValue keyValue(JsonParser parser) throws IOException {
        KeyValue.Builder keyValue = KeyValue.newBuilder();
        eachField(parser, (field, value) -> {
            switch (field) {
                case "key" -> keyValue.setKey(text(parser, "attribute key"));
                case "value" -> {
                    expect(parser, JsonToken.START_OBJECT, "attribute value", "an object");
                    keyValue.setValue(anyValue(parser));
                }
                default -> parser.skipChildren();
            }
        });
        return keyValue.build();
    }

    private static AnyValue anyValue(JsonParser parser) throws IOException {
        AnyValue.Builder any = AnyValue.newBuilder();
        eachField(parser, (field, value) -> {
            switch (field) {
                case "stringValue", "string_value" -> any.setStringValue(text(parser, "stringValue"));
                case "boolValue", "bool_value" -> {
                    if (!value.isBoolean()) {
                        throw new IllegalArgumentException("boolValue must be true or false");
                    }
                    any.setBoolValue(parser.getBooleanValue());
                }
                case "intValue", "int_value" -> any.setIntValue(signedLong(parser, "intValue"));
                case "doubleValue", "double_value" -> any.setDoubleValue(doubleValue(parser));
                case "bytesValue", "bytes_value" -> any.setBytesValue(base64(parser));
                case "arrayValue", "array_value" -> {
                    expect(parser, JsonToken.START_OBJECT, "arrayValue", "an object");
                    any.setArrayValue(arrayValue(parser));
                }
                case "kvlistValue", "kvlist_value" -> {
                    expect(parser, JsonToken.START_OBJECT, "kvlistValue", "an object");
                    any.setKvlistValue(kvlistValue(parser));
                }
                default -> parser.skipChildren();
            }
        });
        return any.build();
    }

    private static ArrayValue arrayValue(JsonParser parser) throws IOException {
        ArrayValue.Builder array = ArrayValue.newBuilder();
        eachField(parser, (field, value) -> {
            if (field.equals("values")) {
                eachElement(parser, "arrayValue.values", value, () -> array.addValues(anyValue(parser)));
            } else {
                parser.skipChildren();
            }
        });
        return array.build();
    }

    private static KeyValueList kvlistValue(JsonParser parser) throws IOException {
        KeyValueList.Builder list = KeyValueList.newBuilder();
        eachField(parser, (field, value) -> {
            if (field.equals("values")) {
                eachElement(parser, "kvlistValue.values", value, () -> list.addValues(keyValue(parser)));
            } else {
                parser.skipChildren();
            }
        });
        return list.build();
    }

    /** Reads one field of an object; the parser stands on its value. */
    private interface FieldReader {
        void read(String field, JsonToken value) throws IOException;
    }

    /** Reads one element of an array of objects; the parser stands on its start. */
    private interface ElementReader {
        void read() throws IOException;
    }

    /** Every field of the object the parser is in, up to its end; a null value is the field's default. */
    private static void eachField(JsonParser parser, FieldReader reader) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_NULL) {
                reader.read(field, value);
            }
        }
    }

    /** Every object of the array a field holds; any other value of a kept field is refused, naming it. */
    private static void eachElement(JsonParser parser, String field, JsonToken value, ElementReader reader)
            throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException(field + " has the wrong type: " + describe(value));
        }
        while (nextElement(parser, field)) {
            reader.read();
        }
    }

    private static boolean isField(String field, String camelCase, String protoName) {
        return field.equals(camelCase) || field.equals(protoName);
    }

    /** The next element of an array of objects: true on its start, false at the array's end. */
    private static boolean nextElement(JsonParser parser, String array) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == JsonToken.END_ARRAY) {
            return false;
        }
        if (token != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException(array + " must hold objects, not " + describe(token));
        }
        return true;
    }

    /** Skips a field this reader does not keep; a kept one (an object here) of another type is refused. */
    private static void refuseIfKept(JsonParser parser, String field, JsonToken value, String kept) throws IOException {
        if (field.equals(kept)) {
            throw new IllegalArgumentException(field + " has the wrong type: " + describe(value));
        }
        parser.skipChildren();
    }

    private static void expect(JsonParser parser, JsonToken expected, String field, String what) {
        if (parser.currentToken() != expected) {
            throw new IllegalArgumentException(field + " must be " + what + ", not " + describe(parser.currentToken()));
        }
    }

    private static String text(JsonParser parser, String field) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException(field + " must be a string, not " + describe(parser.currentToken()));
        }
        return parser.getText();
    }

    private static ByteString hexId(JsonParser parser, String field) throws IOException {
        String hex = text(parser, field);
        try {
            return ByteString.copyFrom(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be hex, not '" + hex + "'");
        }
    }

    private static ByteString base64(JsonParser parser) throws IOException {
        String text = text(parser, "bytesValue");
        try {
            return ByteString.copyFrom(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bytesValue must be base64");
        }
    }

    /** fixed64 times: a decimal string or a JSON integer, 0 to 2^64 - 1. */
    private static long unsignedLong(JsonParser parser, String field) throws IOException {
        String digits = integerText(parser, field);
        try {
            return Long.parseUnsignedLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be an unsigned 64-bit integer, not '" + digits + "'");
        }
    }

    private static long signedLong(JsonParser parser, String field) throws IOException {
        String digits = integerText(parser, field);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a 64-bit integer, not '" + digits + "'");
        }
    }

    private static String integerText(JsonParser parser, String field) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NUMBER_INT) {
            throw new IllegalArgumentException(
                    field + " must be an integer or a string of digits, not " + describe(token));
        }
        return parser.getText().trim();
    }

    /** A number, or the strings protobuf's JSON mapping allows for the special values. */
    private static double doubleValue(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token.isNumeric()) {
            return parser.getDoubleValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            try {
                return Double.parseDouble(parser.getText());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("doubleValue must be a number, not '" + parser.getText() + "'");
            }
        }
        throw new IllegalArgumentException("doubleValue must be a number, not " + describe(token));
    }

    /** An enum as its number (OTLP/JSON) or its name (protobuf's JSON mapping). */
    private static int enumValue(JsonParser parser, String field, ToIntFunction<String> byName) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.VALUE_NUMBER_INT) {
            return parser.getIntValue();
        }
        if (token == JsonToken.VALUE_STRING) {
            try {
                return byName.applyAsInt(parser.getText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(field + " has no value named '" + parser.getText() + "'");
            }
        }
        throw new IllegalArgumentException(field + " must be an integer or a name, not " + describe(token));
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "the end of the body";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString();
        };
    }
}
