package dev.ipc.core.model;

import dev.ipc.core.annotation.Event;
import dev.ipc.core.annotation.Graphql;
import dev.ipc.core.annotation.Grpc;
import dev.ipc.core.annotation.IpcService;
import dev.ipc.core.annotation.Mutation;
import dev.ipc.core.annotation.Param;
import dev.ipc.core.annotation.Publishes;
import dev.ipc.core.annotation.Query;
import dev.ipc.core.annotation.Rest;
import dev.ipc.core.annotation.Roles;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Derives a {@link ServiceDescriptor} from a plain Java interface by reflection, once per class:
 * one operation per abstract method, wire names from Java names unless an annotation of {@link
 * dev.ipc.core.annotation} says otherwise, calls through cached method handles, and a {@link Proxy}
 * as the client.
 */
final class Derive {
  /**
   * Verbs that make a method a mutation when its name starts with one (then a capital or nothing).
   */
  private static final Set<String> WRITES =
      Set.of(
          "add", "create", "put", "set", "update", "upsert", "save", "insert", "delete", "remove",
          "patch", "post", "send", "submit", "publish", "write", "cancel", "clear", "reset");

  private Derive() {}

  /** How a proxy method turns its arguments into a request and the reply into its result. */
  private record ProxyCall(
      String operation,
      RecordType<?> input,
      boolean recordInput,
      boolean empty,
      Class<?> replyType,
      MethodHandle reply) {}

  /**
   * Copies a call's arguments as the request; a null Optional is the empty one, as on the server.
   */
  private static Object[] arguments(RecordType<?> input, Object[] args) {
    if (args == null) {
      return new Object[0];
    }
    Object[] copy = args.clone();
    for (Field f : input.fields()) {
      if (f.wrapped() && copy[f.index()] == null) {
        copy[f.index()] = java.util.Optional.empty();
      }
    }
    return copy;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static <S> ServiceDescriptor<S> service(
      Class<S> type,
      Map<Class<?>, RecordType<?>> records,
      Map<String, Consumer<Object[]>> validators) {
    if (!type.isInterface()) {
      throw new IllegalArgumentException("type: " + type.getName() + " (expected: an interface)");
    }
    IpcService names = type.getAnnotation(IpcService.class);
    String name = names != null && !names.name().isEmpty() ? names.name() : defaultName(type);
    ServiceDescriptor.Builder<S> b = ServiceDescriptor.builder(type, name);
    if (names != null && (!names.grpcPackage().isEmpty() || !names.grpcService().isEmpty())) {
      b.grpc(
          names.grpcPackage().isEmpty() ? name : names.grpcPackage(),
          names.grpcService().isEmpty() ? capitalize(name) : names.grpcService());
    }
    List<Method> methods = new ArrayList<>();
    for (Method m : type.getMethods()) {
      if (isOperation(m)) {
        methods.add(m);
      }
    }
    Map<String, Method> byName = new HashMap<>();
    Map<Method, ProxyCall> calls = new HashMap<>();
    Map<String, Consumer<Object[]>> unused = new HashMap<>(validators);
    for (Method m : DeclarationOrder.sort(type, methods)) {
      String where = type.getSimpleName() + "." + m.getName();
      Method twin = byName.put(m.getName(), m);
      if (twin != null) {
        throw new IllegalArgumentException(
            where
                + ": overloaded (expected: one method per name; rename one of "
                + twin
                + " and "
                + m
                + ")");
      }
      Operation.Builder op = operation(m, where, records);
      Consumer<Object[]> validator = unused.remove(m.getName());
      boolean recordInput = isRecordInput(m);
      if (validator != null) {
        op.validator(
            recordInput
                ? (Consumer<Object>) request -> validator.accept(new Object[] {request})
                : (Consumer<Object>) request -> validator.accept((Object[]) request));
      }
      b.operation(op);
      boolean saved = isSaved(m.getReturnType());
      calls.put(
          m,
          new ProxyCall(
              m.getName(),
              op.input(),
              recordInput,
              m.getReturnType() == void.class,
              saved ? m.getReturnType() : null,
              saved ? replyConstructor(m.getReturnType(), where) : null));
    }
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(
          "validators: " + unused.keySet() + " (expected: methods of " + type.getName() + ")");
    }
    if (methods.isEmpty()) {
      throw new IllegalArgumentException(type.getName() + ": no methods to serve");
    }
    b.client(stub -> proxy(type, stub, calls));
    return b.build();
  }

  /**
   * Whether a method is an operation: every abstract method, and default methods that stream (a
   * default method returning a {@link Flow.Publisher} describes a feed the server runs, such as one
   * built on the core's {@code Feed.published}; other default methods stay local helpers).
   */
  static boolean isOperation(Method m) {
    if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic()) {
      return false;
    }
    return !m.isDefault() || Flow.Publisher.class.isAssignableFrom(m.getReturnType());
  }

  private static String defaultName(Class<?> type) {
    String simple = type.getSimpleName();
    if (simple.endsWith("Service") && simple.length() > "Service".length()) {
      simple = simple.substring(0, simple.length() - "Service".length());
    }
    String name = simple.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (!name.matches("[a-z][a-z0-9]*")) {
      throw new IllegalArgumentException(
          type.getName()
              + ": no service name in "
              + type.getSimpleName()
              + " (expected: @IpcService(name = ...))");
    }
    return name;
  }

  private static boolean isRecordInput(Method m) {
    Parameter[] ps = m.getParameters();
    return ps.length == 1 && ps[0].getType().isRecord() && ps[0].getAnnotation(Param.class) == null;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operation.Builder<?, ?, ?> operation(
      Method m, String where, Map<Class<?>, RecordType<?>> records) {
    if (!m.getName().matches("[a-z][A-Za-z0-9]*")) {
      throw new IllegalArgumentException(
          where + ": name " + m.getName() + " (expected: lowerCamelCase)");
    }
    Grpc grpc = m.getAnnotation(Grpc.class);
    String grpcMethod =
        grpc != null && !grpc.method().isEmpty() ? grpc.method() : capitalize(m.getName());
    boolean recordInput = isRecordInput(m);
    RecordType<?> input =
        recordInput
            ? record(m.getParameterTypes()[0], where, records)
            : parameters(m, where, grpcMethod + "Request");

    Type returned = m.getGenericReturnType();
    Class<?> raw = m.getReturnType();
    RecordType<?> output;
    boolean many = false;
    boolean streaming = false;
    if (Flow.Publisher.class.isAssignableFrom(raw)) {
      if (!(publisherElement(returned) instanceof Class<?> element) || !element.isRecord()) {
        throw new IllegalArgumentException(
            where + ": returns " + returned.getTypeName() + " (expected: Flow.Publisher<record>)");
      }
      output = record(element, where, records);
      streaming = true;
    } else if (raw == void.class) {
      output = RecordType.parameters(grpcMethod + "Response", where, List.of(), List.of());
    } else if (raw.isRecord() && !isSaved(raw)) {
      output = record(raw, where, records);
    } else if ((raw == List.class || isSaved(raw))
        && returned instanceof ParameterizedType p
        && p.getActualTypeArguments()[0] instanceof Class<?> element
        && element.isRecord()) {
      output = record(element, where, records);
      many = raw == List.class;
    } else {
      throw new IllegalArgumentException(
          where
              + ": returns "
              + returned.getTypeName()
              + " (expected: a record, List<record>, Saved<record> or void)");
    }

    MethodHandle handle = handle(m, where);
    boolean empty = raw == void.class;
    Object[] noValue = new Object[0];
    Operation.Builder b = Operation.builder(m.getName(), (RecordType) input, (RecordType) output);
    java.util.function.BiFunction<Object, Object, Object> invoker =
        (service, request) -> {
          Object[] args = recordInput ? new Object[] {request} : (Object[]) request;
          Object result;
          try {
            result = handle.invokeExact(service, args);
          } catch (RuntimeException | Error e) {
            throw e;
          } catch (Throwable t) {
            // A checked exception the interface declares: the service's failure, INTERNAL for
            // callers.
            throw new UndeclaredThrowableException(t);
          }
          return empty ? noValue : result;
        };
    if (many) {
      b.manyInvoker((java.util.function.BiFunction) invoker);
    } else if (streaming) {
      b.streamInvoker((java.util.function.BiFunction) invoker);
    } else {
      b.invoker(invoker);
    }

    boolean mutation =
        !streaming
            && (m.isAnnotationPresent(Mutation.class)
                || (!m.isAnnotationPresent(Query.class) && writes(m.getName())));
    if (streaming && m.isAnnotationPresent(Mutation.class)) {
      throw new IllegalArgumentException(
          where + ": @Mutation on a stream (expected: none, a stream reads)");
    }
    if (m.isAnnotationPresent(Mutation.class) && m.isAnnotationPresent(Query.class)) {
      throw new IllegalArgumentException(where + ": both @Query and @Mutation (expected: one)");
    }
    if (mutation) {
      b.mutation();
    }
    if (grpc != null) {
      b.grpcMethod(grpcMethod);
      if (!grpc.responseMessage().isEmpty() || !grpc.responseField().isEmpty()) {
        b.grpcResponse(
            grpc.responseMessage().isEmpty() ? grpcMethod + "Response" : grpc.responseMessage(),
            grpc.responseField().isEmpty() ? "items" : grpc.responseField());
      }
    }
    Rest rest = m.getAnnotation(Rest.class);
    String restMethod =
        rest != null && !rest.method().isEmpty()
            ? rest.method()
            : mutation || !fitsQueryString(input) ? "POST" : "GET";
    if (rest != null && !rest.path().isEmpty()) {
      b.rest(restMethod, rest.path());
    } else if (!restMethod.equals(mutation ? "POST" : "GET")) {
      b.restMethod(restMethod);
    }
    if (rest != null && rest.simpleRequests()) {
      b.restSimpleRequests();
    }
    Graphql graphql = m.getAnnotation(Graphql.class);
    if (graphql != null && !graphql.field().isEmpty()) {
      b.graphqlField(graphql.field());
    }
    if (graphql != null && graphql.rootFields()) {
      b.graphqlRootFields();
    }
    Event event = m.getAnnotation(Event.class);
    if (event != null && !event.value().isEmpty()) {
      b.event(event.value());
    }
    if (event != null && !event.items().isEmpty()) {
      if (!streaming) {
        throw new IllegalArgumentException(
            where + ": @Event(items) on an operation that does not stream");
      }
      b.itemEvent(event.items());
    }
    Roles roles = m.getAnnotation(Roles.class);
    if (roles != null) {
      b.requireRoles(roles.value());
    }
    Publishes publishes = m.getAnnotation(Publishes.class);
    if (publishes != null) {
      b.publishes(publishes.value());
    }
    return b;
  }

  /**
   * Whether a method returning {@code raw} is a create-or-replace: it returns a record that is the
   * call's {@link Reply} itself, with one type argument, the stored record ({@code Saved<T>} of the
   * core, which the model does not name).
   */
  private static boolean isSaved(Class<?> raw) {
    return raw.isRecord()
        && Reply.class.isAssignableFrom(raw)
        && raw.getTypeParameters().length == 1;
  }

  /**
   * The canonical constructor {@code (T value, boolean created)} of a create-or-replace's reply
   * record, as {@code (Object, boolean)Object}, for the client's proxy to build what the method
   * returns.
   */
  private static MethodHandle replyConstructor(Class<?> type, String where) {
    java.lang.reflect.RecordComponent[] components = type.getRecordComponents();
    if (components.length != 2
        || !components[0].getName().equals("value")
        || components[1].getType() != boolean.class) {
      throw new IllegalArgumentException(
          where
              + ": returns "
              + type.getName()
              + " (expected: a record (T value, boolean created))");
    }
    try {
      return MethodHandles.lookup()
          .findConstructor(
              type, MethodType.methodType(void.class, components[0].getType(), boolean.class))
          .asType(MethodType.methodType(Object.class, Object.class, boolean.class));
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(where + ": " + type.getName() + " has no constructor", e);
    }
  }

  /**
   * The T of a {@code Flow.Publisher<T>} (or of a subtype that fixes it, such as {@code Feed<T>}).
   */
  private static Type publisherElement(Type returned) {
    if (returned instanceof ParameterizedType p && p.getActualTypeArguments().length == 1) {
      return p.getActualTypeArguments()[0];
    }
    return null;
  }

  private static boolean writes(String name) {
    for (String verb : WRITES) {
      if (name.startsWith(verb)
          && (name.length() == verb.length()
              || Character.isUpperCase(name.charAt(verb.length())))) {
        return true;
      }
    }
    return false;
  }

  /** Whether every field can travel in a URL's query string, so a query can be a GET. */
  private static boolean fitsQueryString(RecordType<?> input) {
    for (Field f : input.fields()) {
      if (f.type() == FieldType.MESSAGE || f.map()) {
        return false;
      }
    }
    return true;
  }

  private static RecordType<?> record(
      Class<?> type, String where, Map<Class<?>, RecordType<?>> records) {
    RecordType<?> given = records.get(type);
    if (given != null) {
      return given;
    }
    try {
      return RecordType.ofAny(type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static RecordType<Object[]> parameters(Method m, String where, String name) {
    List<String> names = new ArrayList<>();
    List<Type> types = new ArrayList<>();
    for (Parameter p : m.getParameters()) {
      Param param = p.getAnnotation(Param.class);
      String n;
      if (param != null) {
        n = param.value();
      } else if (p.isNamePresent()) {
        n = p.getName();
      } else {
        throw new IllegalArgumentException(
            where
                + ": parameter names are not in the class file (expected: compile with javac"
                + " -parameters, <parameters>true</parameters> in maven-compiler-plugin, or name each"
                + " parameter with @Param)");
      }
      if (!n.matches("[a-z][A-Za-z0-9]*")) {
        throw new IllegalArgumentException(
            where + ": parameter " + n + " (expected: lowerCamelCase)");
      }
      if (names.contains(n)) {
        throw new IllegalArgumentException(where + ": two parameters named " + n);
      }
      names.add(n);
      types.add(p.getParameterizedType());
    }
    return RecordType.parameters(name, where, names, types);
  }

  private static MethodHandle handle(Method m, String where) {
    try {
      m.setAccessible(true);
      return MethodHandles.lookup()
          .unreflect(m)
          .asSpreader(Object[].class, m.getParameterCount())
          .asType(MethodType.methodType(Object.class, Object.class, Object[].class));
    } catch (IllegalAccessException | RuntimeException e) {
      throw new IllegalArgumentException(
          where
              + ": not accessible (expected: a public interface, or its package open to ipc-core)",
          e);
    }
  }

  @SuppressWarnings("unchecked")
  private static <S> S proxy(Class<S> type, Stub stub, Map<Method, ProxyCall> calls) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          ProxyCall call = calls.get(method);
          if (call != null) {
            Object request = call.recordInput() ? args[0] : arguments(call.input(), args);
            if (call.recordInput() && request == null) {
              throw new InvalidValueException(method.getName() + ": null request");
            }
            Reply reply = stub.reply(call.operation(), request);
            if (call.empty()) {
              return null;
            }
            if (call.replyType() == null) {
              return reply.value();
            }
            // A create-or-replace answers its Saved: as it is in process, else made from the reply.
            if (call.replyType().isInstance(reply)) {
              return reply;
            }
            return (Object) call.reply().invokeExact(reply.value(), reply.created());
          }
          if (method.isDefault()) {
            // Not an operation: a helper that runs here, on the caller's side.
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> type.getSimpleName() + " client of " + stub;
            default -> throw new UnsupportedOperationException(method.toString());
          };
        };
    return (S) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }

  static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
