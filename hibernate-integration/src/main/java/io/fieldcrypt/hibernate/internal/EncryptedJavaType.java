package io.fieldcrypt.hibernate.internal;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Comparator;
import java.util.Objects;
import org.hibernate.SharedSessionContract;
import org.hibernate.dialect.Dialect;
import org.hibernate.sql.ast.spi.SqlAppender;
import org.hibernate.type.descriptor.WrapperOptions;
import org.hibernate.type.descriptor.converter.spi.BasicValueConverter;
import org.hibernate.type.descriptor.java.BasicJavaType;
import org.hibernate.type.descriptor.java.JavaType;
import org.hibernate.type.descriptor.java.MutabilityPlan;
import org.hibernate.type.descriptor.jdbc.JdbcType;
import org.hibernate.type.descriptor.jdbc.JdbcTypeIndicators;
import org.hibernate.type.spi.TypeConfiguration;

/**
 * The domain Java type of an encrypted attribute: the attribute type's own descriptor, except that
 * <ul>
 *   <li>a {@link SealedValue} also counts as an instance (it stands in the state array while a value is sealed or
 *       not yet opened), compared by identity;</li>
 *   <li>the loggable representation of any value is a fixed word ({@code [encrypted]}, or {@code [blind index]} for
 *       a blind index handle, whose values are plaintexts about to be hashed), so Hibernate's logs (entity listings
 *       and bound parameters at DEBUG and TRACE, for example) never show a plaintext;</li>
 *   <li>its mutability plan is the attribute's {@link SealedMutabilityPlan} (a handle keeps its type's own).</li>
 * </ul>
 */
final class EncryptedJavaType implements BasicJavaType<Object> {

    private static final long serialVersionUID = 1L;

    private final JavaType<Object> plaintext;
    private final MutabilityPlan<Object> plan;
    private final String loggable;

    /** The domain type of an encrypted attribute. */
    EncryptedJavaType(JavaType<Object> plaintext, SealedMutabilityPlan plan) {
        this(plaintext, plan, "[encrypted]");
    }

    /**
     * The domain type of a blind index handle. Its value is never cached: the second-level cache disassembles an
     * inserted entity's state while the handle's slot still holds the plaintext to hash, and a handle reads as
     * {@code null} anyway.
     */
    static EncryptedJavaType ofIndexHandle(JavaType<Object> plaintext) {
        return new EncryptedJavaType(plaintext, HANDLE_PLAN, "[blind index]");
    }

    /** The mutability plan of a blind index handle: immutable, and never put into the second-level cache. */
    static final MutabilityPlan<Object> HANDLE_PLAN = new MutabilityPlan<>() {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isMutable() {
            return false;
        }

        @Override
        public Object deepCopy(Object value) {
            return value;
        }

        @Override
        public java.io.Serializable disassemble(Object value, SharedSessionContract session) {
            return null;
        }

        @Override
        public Object assemble(java.io.Serializable cached, SharedSessionContract session) {
            return null;
        }
    };

    private EncryptedJavaType(JavaType<Object> plaintext, MutabilityPlan<Object> plan, String loggable) {
        this.plaintext = plaintext;
        this.plan = plan;
        this.loggable = loggable;
    }

    @Override
    public Type getJavaType() {
        return plaintext.getJavaType();
    }

    @Override
    public Class<Object> getJavaTypeClass() {
        return plaintext.getJavaTypeClass();
    }

    @Override
    public String getTypeName() {
        return plaintext.getTypeName();
    }

    @Override
    public boolean isInstance(Object value) {
        return value instanceof SealedValue || plaintext.isInstance(value);
    }

    @Override
    public Object cast(Object value) {
        return value instanceof SealedValue ? value : plaintext.cast(value);
    }

    @Override
    public MutabilityPlan<Object> getMutabilityPlan() {
        return plan;
    }

    @Override
    public Object getDefaultValue() {
        return plaintext.getDefaultValue();
    }

    @Override
    public JdbcType getRecommendedJdbcType(JdbcTypeIndicators context) {
        return plaintext.getRecommendedJdbcType(context);
    }

    @Override
    public long getDefaultSqlLength(Dialect dialect, JdbcType jdbcType) {
        return plaintext.getDefaultSqlLength(dialect, jdbcType);
    }

    @Override
    public long getLongSqlLength() {
        return plaintext.getLongSqlLength();
    }

    @Override
    public int getDefaultSqlPrecision(Dialect dialect, JdbcType jdbcType) {
        return plaintext.getDefaultSqlPrecision(dialect, jdbcType);
    }

    @Override
    public int getDefaultSqlScale(Dialect dialect, JdbcType jdbcType) {
        return plaintext.getDefaultSqlScale(dialect, jdbcType);
    }

    @Override
    public Comparator<Object> getComparator() {
        return plaintext.getComparator();
    }

    @Override
    public int extractHashCode(Object value) {
        return value instanceof SealedValue ? System.identityHashCode(value) : plaintext.extractHashCode(value);
    }

    @Override
    public boolean areEqual(Object one, Object another) {
        if (one instanceof SealedValue || another instanceof SealedValue) {
            return one == another;
        }
        return plaintext.areEqual(one, another);
    }

    @Override
    public boolean useObjectEqualsHashCode() {
        return plaintext.useObjectEqualsHashCode();
    }

    @Override
    public String extractLoggableRepresentation(Object value) {
        return value == null ? "null" : loggable;
    }

    @Override
    public String toString(Object value) {
        return plaintext.toString(value);
    }

    @Override
    public Object fromString(CharSequence string) {
        return plaintext.fromString(string);
    }

    @Override
    public void appendEncodedString(SqlAppender sb, Object value) {
        plaintext.appendEncodedString(sb, value);
    }

    @Override
    public Object fromEncodedString(CharSequence charSequence, int start, int end) {
        return plaintext.fromEncodedString(charSequence, start, end);
    }

    @Override
    public <X> X unwrap(Object value, Class<X> type, WrapperOptions options) {
        return plaintext.unwrap(value, type, options);
    }

    @Override
    public <X> Object wrap(X value, WrapperOptions options) {
        return plaintext.wrap(value, options);
    }

    @Override
    public boolean isWider(JavaType<?> javaType) {
        return plaintext.isWider(javaType);
    }

    @Override
    public Object coerce(Object value) {
        return plaintext.coerce(value);
    }

    @Override
    public JavaType<Object> createJavaType(ParameterizedType parameterizedType, TypeConfiguration typeConfiguration) {
        return this;
    }

    @Override
    public boolean isTemporalType() {
        return plaintext.isTemporalType();
    }

    @Override
    public String getCheckCondition(
            String columnName, JdbcType jdbcType, BasicValueConverter<Object, ?> converter, Dialect dialect) {
        return plaintext.getCheckCondition(columnName, jdbcType, converter, dialect);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncryptedJavaType that && plaintext.equals(that.plaintext) && plan == that.plan;
    }

    @Override
    public int hashCode() {
        return Objects.hash(plaintext, plan);
    }

    @Override
    public String toString() {
        return "EncryptedJavaType[" + plaintext.getTypeName() + "]";
    }
}
