package dev.streamlens.job.serialization;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information that tells Flink to use one hand-written serializer for a class, so it never
 * falls back to its POJO serializer or Kryo. A class takes it through {@code @TypeInfo} with a
 * small {@code TypeInfoFactory} that returns an instance, which also covers every field of that
 * class in other POJOs.
 */
public final class SerializerTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final TypeSerializer<T> serializer;
    private final boolean keyType;

    public SerializerTypeInfo(Class<T> type, TypeSerializer<T> serializer) {
        this(type, serializer, false);
    }

    private SerializerTypeInfo(Class<T> type, TypeSerializer<T> serializer, boolean keyType) {
        this.type = type;
        this.serializer = serializer;
        this.keyType = keyType;
    }

    /** The same for a key type ({@code keyBy}): hashed by the class's own hashCode, as Flink does any key. */
    public static <T> SerializerTypeInfo<T> forKeys(Class<T> type, TypeSerializer<T> serializer) {
        return new SerializerTypeInfo<>(type, serializer, true);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return keyType;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer;
    }

    @Override
    public String toString() {
        return type.getSimpleName() + " (" + serializer.getClass().getSimpleName() + ")";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof SerializerTypeInfo<?> other
                && other.type == type
                && other.serializer.equals(serializer)
                && other.keyType == keyType;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, serializer, keyType);
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof SerializerTypeInfo;
    }
}
