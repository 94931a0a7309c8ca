package dev.sluice.core.serializer;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.util.Pool;
import dev.sluice.core.Pair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * A thread-safe pool of identically configured Kryo instances; a {@link Kryo} is not
 * thread-safe and costly to build, so each call borrows one and gives it back.
 *
 * <p>Kryo 5.6 already brings serializers for records, {@code Optional}, {@code Arrays.asList}
 * and the {@code Collections.empty*}/{@code singleton*} classes; {@link JdkCollectionSerializers}
 * replaces its ones for the JDK's unmodifiable collections.
 */
final class KryoPool extends Pool<Kryo> {

    /**
     * The registration ids are written into checkpoint files: never renumber or remove one,
     * only append. Registering saves writing the class name with every record.
     */
    private static final int FIRST_REGISTRATION_ID = 100;

    private static final Class<?>[] REGISTERED = {
        Pair.class, ArrayList.class, LinkedList.class, HashMap.class, LinkedHashMap.class,
        HashSet.class, LinkedHashSet.class, Object[].class,
    };

    KryoPool(int maximumCapacity) {
        super(true, false, maximumCapacity);
    }

    @Override
    protected Kryo create() {
        Kryo kryo = new Kryo();
        // Checkpoints and blocks hold user types we cannot know in advance.
        kryo.setRegistrationRequired(false);
        // Records may share or cycle through objects; cost is one varint per object.
        kryo.setReferences(true);
        // No-arg constructor when there is one, otherwise Objenesis (classes without one).
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        JdkCollectionSerializers.addDefaultSerializers(kryo);
        for (int i = 0; i < REGISTERED.length; i++) {
            kryo.register(REGISTERED[i], FIRST_REGISTRATION_ID + i);
        }
        return kryo;
    }
}
