package dev.streamlens.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The genai-prices catalog's own JSON schema ({@code data.schema.json}, carried beside the catalog's
 * copy): what a fetched catalog must satisfy before it is published as a price version.
 */
final class CatalogSchema {

    private static final String SCHEMA = "/pricing/genai-prices/data.schema.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CatalogSchema() {}

    /** What the document breaks of the schema, each as the validator says it; empty when it complies. */
    static List<String> problems(byte[] document) {
        JsonNode catalog;
        try {
            catalog = JSON.readTree(document);
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
        if (catalog == null) {
            return List.of("empty");
        }
        return schema().validate(catalog).stream()
                .map(ValidationMessage::getMessage)
                .toList();
    }

    private static JsonSchema schema() {
        try (InputStream in = CatalogSchema.class.getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA + " is missing from the classpath");
            }
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
