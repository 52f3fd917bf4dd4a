package io.fieldcrypt.hibernate.model;

import io.fieldcrypt.hibernate.Encrypted;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.UUID;

/** One encrypted attribute of every supported type, with an assigned UUID id. */
@Entity
public class AllTypes {

    @Id
    public UUID id;

    @Encrypted
    public String text;

    @Encrypted
    public byte[] bytes;

    @Encrypted
    public Integer integer;

    @Encrypted
    public int primitiveInt;

    @Encrypted
    public Long longValue;

    @Encrypted
    public Short shortValue;

    @Encrypted
    public Boolean flag;

    @Encrypted
    public BigDecimal decimal;

    @Encrypted
    public BigInteger bigInteger;

    @Encrypted
    public UUID uuid;

    @Encrypted
    public LocalDate date;

    @Encrypted
    public LocalDateTime dateTime;

    @Encrypted
    public LocalTime time;

    @Encrypted
    public Instant instant;

    @Encrypted
    public OffsetDateTime offsetDateTime;

    @Encrypted
    public Status status;

    public AllTypes() {}

    /** @return an instance with every attribute set to a non-trivial value */
    public static AllTypes sample(UUID id) {
        AllTypes all = new AllTypes();
        all.id = id;
        all.text = "Zoë — 健康";
        all.bytes = new byte[] {0, 1, 2, (byte) 0xFF};
        all.integer = -42;
        all.primitiveInt = 7;
        all.longValue = Long.MIN_VALUE;
        all.shortValue = (short) 12345;
        all.flag = Boolean.TRUE;
        all.decimal = new BigDecimal("-12345.6700");
        all.bigInteger = new BigInteger("123456789012345678901234567890");
        all.uuid = UUID.fromString("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
        all.date = LocalDate.of(1999, 12, 31);
        all.dateTime = LocalDateTime.of(2026, 11, 28, 13, 14, 15, 123_456_789);
        all.time = LocalTime.of(23, 59, 58);
        all.instant = Instant.parse("2026-11-28T12:00:00.5Z");
        all.offsetDateTime = OffsetDateTime.parse("2026-11-28T12:00:00+05:30");
        all.status = Status.SUSPENDED;
        return all;
    }
}
