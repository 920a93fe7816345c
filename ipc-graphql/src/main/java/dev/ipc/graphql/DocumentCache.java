package dev.ipc.graphql;

import graphql.ExecutionInput;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.execution.preparsed.PreparsedDocumentProvider;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Keeps parsed and validated documents by query text, so a repeated query skips parsing, validation
 * and the limit checks. Failed documents are kept too: a client repeating a bad query costs no more
 * than a good one. Bounded in entries and in characters, so distinct large queries cannot fill the
 * heap: past either bound arbitrary entries are dropped, and documents over {@link
 * #MAX_QUERY_CHARS} are not kept at all. Thread-safe.
 */
final class DocumentCache implements PreparsedDocumentProvider {
  /** GraphQLContext key of the entry the transport already looked up for this request. */
  static final String ENTRY = "dev.ipc.graphql.document";

  /** The longest query text kept; longer ones (rare, and costly to hold) are parsed every time. */
  static final int MAX_QUERY_CHARS = 64 * 1024;

  /** The most query text kept in all. */
  static final long MAX_TOTAL_CHARS = 8L * 1024 * 1024;

  private final ConcurrentHashMap<String, PreparsedDocumentEntry> entries =
      new ConcurrentHashMap<>();
  private final int capacity;
  private final Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final AtomicLong chars = new AtomicLong();

  DocumentCache(int capacity, Function<ExecutionInput, PreparsedDocumentEntry> parseAndValidate) {
    this.capacity = capacity;
    this.parseAndValidate = parseAndValidate;
  }

  /** Returns the entry for the input's query, parsing and validating it on a miss. */
  PreparsedDocumentEntry entry(ExecutionInput input) {
    String query = input.getQuery();
    PreparsedDocumentEntry entry = entries.get(query);
    if (entry != null) {
      hits.increment();
      return entry;
    }
    misses.increment();
    entry = parseAndValidate.apply(input);
    int length = query.length();
    if (capacity > 0 && length <= MAX_QUERY_CHARS) {
      while ((entries.size() >= capacity || chars.get() + length > MAX_TOTAL_CHARS) && evictOne()) {
        // evictOne made room
      }
      if (entries.putIfAbsent(query, entry) == null) {
        chars.addAndGet(length);
      }
    }
    return entry;
  }

  private boolean evictOne() {
    Iterator<String> it = entries.keySet().iterator();
    if (!it.hasNext()) {
      return false;
    }
    String key = it.next();
    if (entries.remove(key) != null) {
      chars.addAndGet(-key.length());
    }
    return true;
  }

  @Override
  public CompletableFuture<PreparsedDocumentEntry> getDocumentAsync(
      ExecutionInput input, Function<ExecutionInput, PreparsedDocumentEntry> ignored) {
    PreparsedDocumentEntry known = input.getGraphQLContext().get(ENTRY);
    return CompletableFuture.completedFuture(known != null ? known : entry(input));
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  int size() {
    return entries.size();
  }

  long chars() {
    return chars.get();
  }
}
