package dev.ipc.core.testing;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every other type the model supports, so the contract suite round-trips each on every transport.
 */
public record Edition(
    boolean inPrint,
    int pages,
    double rating,
    float weight,
    Integer printing,
    Long copies,
    Boolean signed,
    Duration readingTime,
    BigDecimal price,
    Optional<Genre> shelf,
    Optional<Instant> retired,
    Book book,
    List<Book> related,
    Map<String, Book> translations,
    Map<String, Integer> counts,
    List<Genre> genres,
    List<Long> ids) {}
