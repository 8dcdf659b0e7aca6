package dev.streamlens.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads an OTLP/HTTP export body: undoes {@code Content-Encoding: gzip} within a size bound, then
 * decodes protobuf, or OTLP/JSON (whose trace and span ids are hex, where protobuf's JSON mapping
 * would expect base64; unknown fields ignored).
 */
final class OtlpPayloads {

    /** A decoded export, or why the body could not be read. */
    record Decoded(ExportTraceServiceRequest export, boolean tooLarge, String problem) {
        boolean isValid() {
            return export != null;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFormat.Parser JSON_FORMAT = JsonFormat.parser().ignoringUnknownFields();
    private static final List<String> ID_FIELDS = List.of("traceId", "spanId", "parentSpanId");

    private OtlpPayloads() {
    }

    static Decoded decode(OtlpEncoding encoding, String contentEncoding, byte[] body, int maxBytes) {
        byte[] plain;
        try {
            plain = isGzip(contentEncoding) ? gunzip(body, maxBytes) : body;
        } catch (IOException e) {
            return new Decoded(null, false, "body: not valid gzip (" + e.getMessage() + ")");
        }
        if (plain == null || plain.length > maxBytes) {
            return new Decoded(null, true, "body: must not exceed " + maxBytes + " bytes (uncompressed)");
        }
        try {
            return new Decoded(encoding == OtlpEncoding.JSON ? fromJson(plain) : ExportTraceServiceRequest.parseFrom(plain),
                    false, null);
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            return new Decoded(null, false, "body: not an OTLP ExportTraceServiceRequest in "
                    + encoding.mediaType() + " (" + e.getMessage() + ")");
        } catch (IOException e) {
            return new Decoded(null, false, "body: malformed JSON (" + e.getMessage() + ")");
        }
    }

    private static boolean isGzip(String contentEncoding) {
        return contentEncoding != null && contentEncoding.trim().equalsIgnoreCase("gzip");
    }

    /** At most {@code maxBytes + 1} bytes are inflated: a small bomb cannot fill the heap. */
    private static byte[] gunzip(byte[] body, int maxBytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(body.length * 4, maxBytes));
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                if (out.size() > maxBytes) {
                    return null;
                }
            }
            return out.toByteArray();
        }
    }

    private static ExportTraceServiceRequest fromJson(byte[] json) throws IOException {
        JsonNode tree = JSON.readTree(json);
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        hexIdsToBase64(tree);
        ExportTraceServiceRequest.Builder export = ExportTraceServiceRequest.newBuilder();
        JSON_FORMAT.merge(JSON.writeValueAsString(tree), export);
        return export.build();
    }

    /** OTLP/JSON writes ids as hex (OTLP specification, JSON Protobuf Encoding); JsonFormat reads bytes as base64. */
    private static void hexIdsToBase64(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (String field : ID_FIELDS) {
                JsonNode id = object.get(field);
                if (id != null && id.isTextual()) {
                    object.put(field, Base64.getEncoder().encodeToString(hex(id.textValue(), field)));
                }
            }
            object.elements().forEachRemaining(OtlpPayloads::hexIdsToBase64);
        } else if (node.isArray()) {
            node.elements().forEachRemaining(OtlpPayloads::hexIdsToBase64);
        }
    }

    private static byte[] hex(String value, String field) {
        try {
            return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be hex, not '" + value + "'");
        }
    }
}
