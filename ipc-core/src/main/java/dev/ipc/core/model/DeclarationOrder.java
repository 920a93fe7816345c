package dev.ipc.core.model;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts an interface's methods in the order the source declares them. Reflection's order is
 * unspecified (HotSpot's follows symbol addresses), yet it decides the order of rpcs in a {@code
 * .proto}, of fields in the SDL and of paths in the OpenAPI document; so the order is read from the
 * class file, whose method table javac writes in source order. Without a class file (a generated
 * interface), names sort it.
 */
final class DeclarationOrder {
  private DeclarationOrder() {}

  /** Sorts {@code type}'s own methods first, in source order, then inherited ones by interface. */
  static List<Method> sort(Class<?> type, List<Method> methods) {
    Map<Class<?>, Map<String, Integer>> positions = new HashMap<>();
    List<Method> sorted = new ArrayList<>(methods);
    sorted.sort(
        Comparator.comparing(
                (Method m) -> m.getDeclaringClass() == type ? "" : m.getDeclaringClass().getName())
            .thenComparing(
                m ->
                    positions
                        .computeIfAbsent(m.getDeclaringClass(), DeclarationOrder::positions)
                        .getOrDefault(m.getName(), Integer.MAX_VALUE))
            .thenComparing(Method::getName)
            .thenComparing(m -> Arrays.toString(m.getParameterTypes())));
    return sorted;
  }

  /** Returns each method name's first position in the class file, or an empty map. */
  private static Map<String, Integer> positions(Class<?> type) {
    String resource = type.getName().substring(type.getName().lastIndexOf('.') + 1) + ".class";
    try (InputStream raw = type.getResourceAsStream(resource)) {
      if (raw == null) {
        return Map.of();
      }
      return read(new DataInputStream(raw));
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  private static Map<String, Integer> read(DataInputStream in) throws IOException {
    if (in.readInt() != 0xCAFEBABE) {
      return Map.of();
    }
    in.readUnsignedShort(); // minor
    in.readUnsignedShort(); // major
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
        case 15 -> in.skipNBytes(3);
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
        case 5, 6 -> {
          in.skipNBytes(8);
          i++; // longs and doubles take two slots
        }
        default -> {
          return Map.of();
        }
      }
    }
    in.skipNBytes(6); // access flags, this class, super class
    int interfaces = in.readUnsignedShort();
    in.skipNBytes(2L * interfaces);
    int fields = in.readUnsignedShort();
    for (int i = 0; i < fields; i++) {
      in.skipNBytes(6);
      skipAttributes(in);
    }
    int methods = in.readUnsignedShort();
    Map<String, Integer> positions = new HashMap<>();
    for (int i = 0; i < methods; i++) {
      in.skipNBytes(2);
      String name = utf8[in.readUnsignedShort()];
      in.skipNBytes(2);
      skipAttributes(in);
      if (name != null) {
        positions.putIfAbsent(name, i);
      }
    }
    return positions;
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int attributes = in.readUnsignedShort();
    for (int a = 0; a < attributes; a++) {
      in.skipNBytes(2);
      in.skipNBytes(Integer.toUnsignedLong(in.readInt()));
    }
  }
}
