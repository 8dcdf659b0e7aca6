package dev.streamlens.ingest.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads an OTLP/HTTP export body: undoes {@code Content-Encoding: gzip} within a size bound, then
 * decodes protobuf, or OTLP/JSON ({@link OtlpJsonReader}).
 */
public final class OtlpPayloads {

    /** A decoded export, or why the body could not be read. */
    public record Decoded(ExportTraceServiceRequest export, boolean tooLarge, String problem) {
        public boolean isValid() {
            return export != null;
        }
    }

    private OtlpPayloads() {}

    public static Decoded decode(OtlpEncoding encoding, String contentEncoding, byte[] body, int maxBytes) {
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
            return new Decoded(
                    encoding == OtlpEncoding.JSON
                            ? OtlpJsonReader.read(plain)
                            : ExportTraceServiceRequest.parseFrom(plain),
                    false,
                    null);
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            return new Decoded(
                    null,
                    false,
                    "body: not an OTLP ExportTraceServiceRequest in " + encoding.mediaType() + " (" + e.getMessage()
                            + ")");
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
}
