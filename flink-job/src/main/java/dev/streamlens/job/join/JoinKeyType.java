package dev.streamlens.job.join;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The join's key type: a String (its hash, and so its key group, is the String's), serialized by
 * {@link JoinKeySerializer}.
 */
public final class JoinKeyType extends TypeInformation<String> {

    private static final long serialVersionUID = 1L;

    public static final JoinKeyType INSTANCE = new JoinKeyType();

    private JoinKeyType() {}

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
    public Class<String> getTypeClass() {
        return String.class;
    }

    @Override
    public boolean isKeyType() {
        return true;
    }

    @Override
    public TypeSerializer<String> createSerializer(SerializerConfig config) {
        return JoinKeySerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "JoinKey(String)";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JoinKeyType;
    }

    @Override
    public int hashCode() {
        return JoinKeyType.class.hashCode();
    }

    @Override
    public boolean canEqual(Object other) {
        return other instanceof JoinKeyType;
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
