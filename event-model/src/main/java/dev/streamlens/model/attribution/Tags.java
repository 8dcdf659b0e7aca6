package dev.streamlens.model.attribution;

import dev.streamlens.model.attribution.Contributors.Figure;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's custom dimensions (docs/ATTRIBUTION.md#custom-dimensions): each call counts once per
 * declared tag key, under the id {@code key=value} in the row's {@code top_tags} summary — under
 * {@code key=} when it had no value for the key, so a key's values always add up to the row's
 * completed calls. A row keeps at most a cap of values per key; the rest are counted under
 * {@code key=other}.
 */
public final class Tags {

    /** The value the values beyond the cap are counted under. */
    public static final String OTHER = "other";

    /** Values of one key a row keeps unless told otherwise (the job's {@code --tag-value-cap}). */
    public static final int DEFAULT_VALUE_CAP = 20;

    /** The value of a call that had none for the key. */
    public static final String NO_VALUE = "";

    private Tags() {}

    /** The summary id of a key's value. */
    public static String id(String key, String value) {
        return key + "=" + value;
    }

    /** The key of a summary id (keys never contain {@code =}). */
    public static String key(String id) {
        int cut = id.indexOf('=');
        return cut < 0 ? id : id.substring(0, cut);
    }

    /** The value of a summary id. */
    public static String value(String id) {
        int cut = id.indexOf('=');
        return cut < 0 ? NO_VALUE : id.substring(cut + 1);
    }

    /** Whether a summary id is one of this key's values. */
    public static boolean isOf(String id, String key) {
        return id.length() > key.length() && id.charAt(key.length()) == '=' && id.startsWith(key);
    }

    /**
     * Keeps, per key, the {@code cap} values with the most calls (ties: the smaller value first, the
     * same on every run) and counts every other value under {@code key=other}; "no value" is never
     * folded. The summary's totals do not change.
     */
    public static void capValues(Contributors summary, int cap) {
        Map<String, List<String>> valuesByKey = new HashMap<>();
        for (String id : summary.ids()) {
            if (!Contributors.NO_ID.equals(id) && !value(id).equals(NO_VALUE)) {
                valuesByKey.computeIfAbsent(key(id), k -> new ArrayList<>()).add(id);
            }
        }
        for (Map.Entry<String, List<String>> key : valuesByKey.entrySet()) {
            List<String> ids = key.getValue();
            if (ids.size() <= cap) {
                continue;
            }
            Map<String, Long> calls = new HashMap<>();
            ids.forEach(id -> calls.put(id, summary.of(id).counted(Figure.REQUESTS)));
            ids.sort(Comparator.<String>comparingLong(calls::get).reversed().thenComparing(id -> id));
            String other = id(key.getKey(), OTHER);
            for (String id : ids.subList(cap, ids.size())) {
                summary.fold(id, other);
            }
        }
    }
}
