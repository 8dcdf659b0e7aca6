package dev.streamlens.model.attribution;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which tag keys each tenant declared (the job's {@code --tag-keys}), and a call's values of them
 * read from its request's {@code metadata} (docs/ATTRIBUTION.md#custom-dimensions). Written
 * {@code feature,environment} (every tenant) or {@code acme=feature,prompt_version;*=environment}
 * (per tenant; {@code *} for the tenants not named).
 */
public final class TagKeys implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Keys one tenant may declare: each key multiplies a row's summary by its values. */
    public static final int MAX_KEYS = 5;

    /** A longer value is counted under {@link Tags#OTHER}: values are names, not payloads. */
    public static final int MAX_VALUE_LENGTH = 128;

    /** The setting that declares none. */
    public static final TagKeys NONE = new TagKeys(Map.of());

    private static final String EVERY_TENANT = "*";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.:/-]{1,64}");

    /** Tenant (or {@value #EVERY_TENANT}) → its keys, in declared order. */
    private final Map<String, List<String>> keys;

    private TagKeys(Map<String, List<String>> keys) {
        this.keys = keys;
    }

    /** The setting as written; {@link IllegalArgumentException} naming what is wrong. */
    public static TagKeys parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return NONE;
        }
        Map<String, List<String>> keys = new LinkedHashMap<>();
        for (String entry : setting.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int equals = entry.indexOf('=');
            String tenant =
                    equals < 0 ? EVERY_TENANT : entry.substring(0, equals).trim();
            String list = equals < 0 ? entry : entry.substring(equals + 1);
            if (tenant.isEmpty()) {
                throw new IllegalArgumentException("tag keys: an entry names no tenant: '" + entry.trim() + "'");
            }
            List<String> declared = List.of(list.trim().split("\\s*,\\s*"));
            if (declared.size() > MAX_KEYS) {
                throw new IllegalArgumentException(
                        "tag keys: " + tenant + " declares " + declared.size() + " keys, at most " + MAX_KEYS);
            }
            for (String key : declared) {
                if (!KEY.matcher(key).matches()) {
                    throw new IllegalArgumentException(
                            "tag keys: '" + key + "' is not a key (1 to 64 letters, digits or _ . : / -)");
                }
            }
            if (declared.stream().distinct().count() != declared.size()) {
                throw new IllegalArgumentException("tag keys: " + tenant + " declares a key twice");
            }
            if (keys.put(tenant, declared) != null) {
                throw new IllegalArgumentException("tag keys: " + tenant + " is declared twice");
            }
        }
        return new TagKeys(Map.copyOf(keys));
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The keys a tenant declared (its own entry, else the one for every tenant). */
    public List<String> of(String tenant) {
        List<String> own = keys.get(tenant);
        return own != null ? own : keys.getOrDefault(EVERY_TENANT, List.of());
    }

    /**
     * A call's tags as summary ids ({@link Tags#id}), one per declared key — with no value when its
     * metadata has none (or an object, an array, null) — or null when the tenant declared none.
     */
    public String[] tagsOf(String tenant, JsonNode metadata) {
        List<String> declared = of(tenant);
        if (declared.isEmpty()) {
            return null;
        }
        String[] tags = new String[declared.size()];
        for (int i = 0; i < tags.length; i++) {
            String key = declared.get(i);
            tags[i] = Tags.id(key, valueOf(metadata == null ? null : metadata.get(key)));
        }
        return tags;
    }

    private static String valueOf(JsonNode node) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            return Tags.NO_VALUE;
        }
        String value = node.asText();
        return value.length() > MAX_VALUE_LENGTH ? Tags.OTHER : value;
    }

    @Override
    public String toString() {
        return keys.toString();
    }
}
