package dev.streamlens.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;

/**
 * The columns of a metrics row, read once from {@link MetricsRow} itself: one per component, named
 * as its JSON property (the same name in {@code llm_metrics}, on {@code llm.metrics} and in the
 * API), with its Java type and how it rolls up ({@link Rollup}). Storage code derives its column
 * lists and reads values by these names, never by position, so a new column is a change to
 * {@link MetricsRow} (and a migration), not to every statement.
 */
public final class MetricColumns {

    /**
     * What a column holds, told once from its Java type so that each store (JDBC, Parquet) maps
     * it with one exhaustive switch instead of its own chain of type tests.
     */
    public enum ValueType {
        /** An instant (window bounds): timestamptz, a UTC timestamp in Parquet. */
        TIME(java.time.Instant.class),
        /** Text: the key's parts (never null) and the job run (null for old rows). */
        TEXT(String.class),
        /** A count or sum of tokens or milliseconds. */
        LONG(long.class),
        /** A small count (the revision). */
        INT(int.class),
        /** A ratio or average that always has a value. */
        DOUBLE(double.class),
        /** A figure that may have no value (a percentile of a window without latencies). */
        OPTIONAL_DOUBLE(Double.class),
        /** Money, exact (dollars with 12 decimals). */
        DECIMAL(java.math.BigDecimal.class),
        /** An encoded sketch. */
        BYTES(byte[].class);

        private final Class<?> javaType;

        ValueType(Class<?> javaType) {
            this.javaType = javaType;
        }

        static ValueType of(Class<?> javaType, String column) {
            for (ValueType type : values()) {
                if (type.javaType == javaType) {
                    return type;
                }
            }
            throw new IllegalStateException("MetricsRow." + column + " has a type no store maps: " + javaType);
        }
    }

    /** One column: its name, its Java type, what it holds and how it rolls up. */
    public record Column(String name, Class<?> type, ValueType valueType, Rollup.Kind rollup, MethodHandle accessor) {

        /** This column's value in a row (boxed). */
        public Object of(MetricsRow row) {
            try {
                return accessor.invoke(row);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot read " + name + " of a metrics row", e);
            }
        }
    }

    private static final List<Column> ALL = Arrays.stream(MetricsRow.class.getRecordComponents())
            .map(MetricColumns::column)
            .toList();
    private static final Constructor<MetricsRow> CANONICAL;

    static {
        try {
            CANONICAL = MetricsRow.class.getDeclaredConstructor(
                    ALL.stream().map(Column::type).toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private MetricColumns() {}

    /** Every column, in the order of {@link MetricsRow}'s components (its canonical constructor's). */
    public static List<Column> all() {
        return ALL;
    }

    /** The columns that roll up in this way, in the same order. */
    public static List<Column> rolledUpBy(Rollup.Kind kind) {
        return ALL.stream().filter(c -> c.rollup() == kind).toList();
    }

    /** A row of every column's value, given in the order of {@link #all()}. */
    public static MetricsRow newRow(Object[] values) {
        try {
            return CANONICAL.newInstance(values);
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot make a metrics row of these column values", e);
        }
    }

    private static Column column(RecordComponent component) {
        // Jackson's annotation is not for record components: Java puts it on the accessor.
        JsonProperty json = component.getAccessor().getAnnotation(JsonProperty.class);
        Rollup rollup = component.getAnnotation(Rollup.class);
        if (json == null || rollup == null) {
            throw new IllegalStateException("MetricsRow." + component.getName() + " needs @JsonProperty and @Rollup");
        }
        try {
            return new Column(
                    json.value(),
                    component.getType(),
                    ValueType.of(component.getType(), json.value()),
                    rollup.value(),
                    MethodHandles.publicLookup().unreflect(component.getAccessor()));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
