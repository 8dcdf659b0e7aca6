package dev.streamlens.job.window;

import dev.streamlens.job.serialization.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Tells Flink to store window accumulators with {@link WindowAccumulatorSerializer}. */
public final class WindowAccumulatorTypeInfo {

    public static final TypeInformation<WindowAccumulator> INSTANCE =
            new SerializerTypeInfo<>(WindowAccumulator.class, WindowAccumulatorSerializer.INSTANCE);

    private WindowAccumulatorTypeInfo() {}

    /** Makes every use of the class (a field of {@link CallBatch}, too) take this type information. */
    public static final class Factory extends TypeInfoFactory<WindowAccumulator> {
        @Override
        public TypeInformation<WindowAccumulator> createTypeInfo(
                Type type, Map<String, TypeInformation<?>> parameters) {
            return INSTANCE;
        }
    }
}
