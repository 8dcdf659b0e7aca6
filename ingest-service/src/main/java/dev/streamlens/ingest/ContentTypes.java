package dev.streamlens.ingest;

import java.util.Locale;

/**
 * Which request bodies the API reads as JSON. Clients of the API send JSON whatever the header
 * says, so besides application/json (and +json types) it accepts a missing type, text/plain and
 * curl's default application/x-www-form-urlencoded; anything else is a 415
 * (README.md#sending-events-ingest-service-port-8080).
 */
public final class ContentTypes {

    public static final String NDJSON = "application/x-ndjson";

    private ContentTypes() {}

    public static boolean isJson(String contentType) {
        String type = baseType(contentType);
        return type.isEmpty()
                || type.equals("application/json")
                || type.endsWith("+json")
                || type.equals("text/plain")
                || type.equals("application/x-www-form-urlencoded");
    }

    public static boolean isNdjson(String contentType) {
        String type = baseType(contentType);
        return type.equals(NDJSON) || type.equals("application/jsonl") || type.equals("application/jsonlines");
    }

    private static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
                .trim()
                .toLowerCase(Locale.ROOT);
    }
}
