package dev.streamlens.ingest.otlp;

import dev.streamlens.ingest.ContentTypes;
import jakarta.ws.rs.core.MediaType;

/** The two encodings OTLP/HTTP defines; an answer goes back in the encoding of its request. */
public enum OtlpEncoding {
    PROTOBUF("application/x-protobuf"),
    JSON(MediaType.APPLICATION_JSON);

    private final String mediaType;

    OtlpEncoding(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    /** JSON when the content type says so, else protobuf (the endpoint accepts only these two). */
    public static OtlpEncoding of(String contentType) {
        return ContentTypes.isJson(contentType) ? JSON : PROTOBUF;
    }
}
