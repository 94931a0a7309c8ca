package dev.sluice.core.serializer;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Serializers for the JDK's unmodifiable collections: the {@code List.of}/{@code Set.of}/{@code
 * Map.of} family and the {@code Collections.unmodifiable*} wrappers.
 *
 * <p>Why not Kryo's field serializer: on Java 17 these classes' fields sit in {@code java.base},
 * which is closed to reflection without {@code --add-opens}. So the elements are written and the
 * collection is rebuilt from them; for the wrappers, the wrapped collection's own class is not
 * kept, only its contents and iteration order.
 *
 * <p>Why not Kryo 5.6's own {@code ImmutableCollectionsSerializers}: they register the
 * intermediate mutable copy as the object's reference, so a collection referenced twice in one
 * graph comes back as two objects, the second a mutable {@code ArrayList} or {@code HashMap};
 * and they reject the nulls that {@code Stream.toList()} allows. These serializers never call
 * {@link Kryo#reference}, so Kryo references the rebuilt collection itself.
 */
final class JdkCollectionSerializers {

    private JdkCollectionSerializers() {}

    /** Registers the serializers as defaults for the runtime classes of these collections. */
    static void addDefaultSerializers(Kryo kryo) {
        ElementsSerializer immutableList = new ElementsSerializer(JdkCollectionSerializers::immutableList);
        for (List<?> list : List.of(List.of(), List.of(1), List.of(1, 2, 3), List.of(1, 2, 3).subList(0, 2))) {
            kryo.addDefaultSerializer(list.getClass(), immutableList);
        }
        ElementsSerializer immutableSet = new ElementsSerializer(Set::copyOf);
        for (Set<?> set : List.of(Set.of(), Set.of(1), Set.of(1, 2, 3))) {
            kryo.addDefaultSerializer(set.getClass(), immutableSet);
        }
        EntriesSerializer immutableMap = new EntriesSerializer(Map::copyOf);
        for (Map<?, ?> map : List.of(Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2))) {
            kryo.addDefaultSerializer(map.getClass(), immutableMap);
        }

        ElementsSerializer unmodifiableList = new ElementsSerializer(Collections::unmodifiableList);
        kryo.addDefaultSerializer(Collections.unmodifiableList(new ArrayList<>()).getClass(), unmodifiableList);
        kryo.addDefaultSerializer(Collections.unmodifiableList(new LinkedList<>()).getClass(), unmodifiableList);
        kryo.addDefaultSerializer(Collections.unmodifiableSet(Set.of()).getClass(),
                new ElementsSerializer(elements -> Collections.unmodifiableSet(new LinkedHashSet<>(elements))));
        kryo.addDefaultSerializer(Collections.unmodifiableCollection(List.of()).getClass(),
                new ElementsSerializer(Collections::unmodifiableCollection));
        kryo.addDefaultSerializer(Collections.unmodifiableMap(Map.of()).getClass(),
                new EntriesSerializer(Collections::unmodifiableMap));
    }

    /** {@code List.of} rejects nulls; a list from {@code Stream.toList()} may hold them. */
    private static List<Object> immutableList(List<Object> elements) {
        return elements.contains(null) ? elements.stream().toList() : List.copyOf(elements);
    }

    /** A size read from bytes is not trusted to size an allocation; the copy grows if needed. */
    private static int initialCapacity(int size) {
        return Math.min(size, 1024);
    }

    /** Writes the size then each element; reads them into a list and rebuilds the collection. */
    private static final class ElementsSerializer extends Serializer<Collection<?>> {
        private final Function<List<Object>, Collection<?>> rebuild;

        ElementsSerializer(Function<List<Object>, Collection<?>> rebuild) {
            super(false, true);
            this.rebuild = rebuild;
        }

        @Override
        public void write(Kryo kryo, Output output, Collection<?> collection) {
            output.writeVarInt(collection.size(), true);
            for (Object element : collection) {
                kryo.writeClassAndObject(output, element);
            }
        }

        @Override
        public Collection<?> read(Kryo kryo, Input input, Class<? extends Collection<?>> type) {
            int size = input.readVarInt(true);
            List<Object> elements = new ArrayList<>(initialCapacity(size));
            for (int i = 0; i < size; i++) {
                elements.add(kryo.readClassAndObject(input));
            }
            return rebuild.apply(elements);
        }
    }

    /** Writes the size then each key and value; reads them into a map and rebuilds the map. */
    private static final class EntriesSerializer extends Serializer<Map<?, ?>> {
        private final Function<Map<Object, Object>, Map<?, ?>> rebuild;

        EntriesSerializer(Function<Map<Object, Object>, Map<?, ?>> rebuild) {
            super(false, true);
            this.rebuild = rebuild;
        }

        @Override
        public void write(Kryo kryo, Output output, Map<?, ?> map) {
            output.writeVarInt(map.size(), true);
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                kryo.writeClassAndObject(output, entry.getKey());
                kryo.writeClassAndObject(output, entry.getValue());
            }
        }

        @Override
        public Map<?, ?> read(Kryo kryo, Input input, Class<? extends Map<?, ?>> type) {
            int size = input.readVarInt(true);
            Map<Object, Object> entries = new LinkedHashMap<>(initialCapacity(size));
            for (int i = 0; i < size; i++) {
                entries.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
            }
            return rebuild.apply(entries);
        }
    }
}
