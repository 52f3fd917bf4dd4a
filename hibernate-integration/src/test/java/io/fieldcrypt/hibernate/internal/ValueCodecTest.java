package io.fieldcrypt.hibernate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

    private static final ValueCodec LOCAL_DATE = ValueCodec.Codecs.BY_TYPE.get(LocalDate.class);
    private static final ValueCodec BIG_DECIMAL = ValueCodec.Codecs.BY_TYPE.get(BigDecimal.class);

    @Test
    void localDate_anyDayOfYears0To10000_decodesAsLocalDateParseDoes() {
        Random random = new Random(16);
        for (int i = 0; i < 100_000; i++) {
            LocalDate date = LocalDate.ofEpochDay(random.nextLong(
                    LocalDate.of(0, 1, 1).toEpochDay(),
                    LocalDate.of(10_001, 1, 1).toEpochDay()));
            String text = date.toString();
            assertThat(ValueCodec.Codecs.localDate(text)).isEqualTo(LocalDate.parse(text));
            assertThat(LOCAL_DATE.decode(LOCAL_DATE.encode(date))).isEqualTo(date);
        }
    }

    @Test
    void localDate_textLocalDateParseRefuses_isRefused() {
        for (String text : List.of(
                "2023-02-29",
                "2023-13-01",
                "2023-00-10",
                "2023-04-31",
                "2023-04-00",
                "2023-4-001",
                "2023/04/01",
                "２０２３-04-01",
                "+202-04-01",
                "-202-04-01",
                "2023-04-1x",
                "")) {
            assertThatThrownBy(() -> LocalDate.parse(text)).isInstanceOf(DateTimeException.class);
            assertThatThrownBy(() -> ValueCodec.Codecs.localDate(text)).isInstanceOf(DateTimeException.class);
        }
    }

    @Test
    void localDate_negativeAndLongYears_decodeAsLocalDateParseDoes() {
        for (String text : List.of("-0001-01-01", "+10000-12-31", "0000-02-29")) {
            assertThat(ValueCodec.Codecs.localDate(text)).isEqualTo(LocalDate.parse(text));
        }
    }

    @Test
    void bigDecimal_anyValue_roundTrips() {
        Random random = new Random(16);
        for (int i = 0; i < 10_000; i++) {
            BigDecimal value = BigDecimal.valueOf(random.nextLong(), random.nextInt(40) - 20);
            assertThat(BIG_DECIMAL.decode(BIG_DECIMAL.encode(value))).isEqualTo(value);
        }
    }

    @Test
    void bigDecimal_scaleOnly_isRefused() {
        assertThatThrownBy(() -> BIG_DECIMAL.decode(new byte[] {0, 0, 0, 2})).isInstanceOf(NumberFormatException.class);
    }
}
