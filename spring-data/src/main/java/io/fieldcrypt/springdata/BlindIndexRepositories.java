package io.fieldcrypt.springdata;

import io.fieldcrypt.hibernate.FieldCrypt;
import jakarta.persistence.EntityManager;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.hibernate.Session;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.repository.core.RepositoryInformation;
import org.springframework.data.repository.core.support.RepositoryProxyPostProcessor;
import org.springframework.data.repository.query.parser.Part;
import org.springframework.data.repository.query.parser.PartTree;

/**
 * Answers Spring Data derived queries on a truncated {@code @BlindIndex} handle (fewer than 128 bits), which fieldcrypt
 * refuses as JPQL because their matches include rows holding other values: {@code findByZipIndex(zip)} runs as
 * {@link FieldCrypt#findBy}, which keeps the rows whose decrypted source matches. Every other repository method runs
 * as it would. Register it with the repository factory:
 *
 * <pre>{@code
 * JpaRepositoryFactory factory = new JpaRepositoryFactory(entityManager);
 * factory.addRepositoryProxyPostProcessor(new BlindIndexRepositories(entityManager));
 * }</pre>
 *
 * Supported on a truncated handle: a derived query with that one condition, {@code find...By}, {@code exists...By} and
 * {@code count...By}, returning entities of the repository's domain type (a list, a collection, a stream, an
 * {@code Optional}, the entity), a boolean or a count. Anything else on a truncated handle derived from a method name
 * (more conditions, {@code In}, {@code IgnoreCase}, sorting, paging, limits, deletes, projections) is refused at the
 * first call with an {@link InvalidDataAccessApiUsageException} saying so; a declared query ({@code @Query},
 * {@code @NativeQuery}, a named query) is left alone, and refused when compiled if it compares a truncated handle.
 * The method's {@code @Lock}, {@code @EntityGraph} and {@code @QueryHints} do not apply to a lookup.
 */
public final class BlindIndexRepositories implements RepositoryProxyPostProcessor {

    private final EntityManager entityManager;

    /**
     * @param entityManager the repositories' entity manager (in Spring, the shared transactional one)
     */
    public BlindIndexRepositories(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    @Override
    public void postProcess(ProxyFactory factory, RepositoryInformation repository) {
        factory.addAdvice(new Lookups(repository));
    }

    /** What one repository method becomes: nothing (it runs as it would), or a lookup of a truncated handle. */
    private record Plan(String handle, String refusal) {

        static final Plan NONE = new Plan(null, null);

        boolean lookup() {
            return handle != null;
        }
    }

    private final class Lookups implements MethodInterceptor {

        private final RepositoryInformation repository;
        private final Map<Method, Plan> plans = new ConcurrentHashMap<>();

        Lookups(RepositoryInformation repository) {
            this.repository = repository;
        }

        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            Method method = invocation.getMethod();
            Plan plan = plans.computeIfAbsent(method, this::plan);
            if (plan.refusal() != null) {
                throw new InvalidDataAccessApiUsageException(plan.refusal());
            }
            if (!plan.lookup()) {
                return invocation.proceed();
            }
            FieldCrypt fieldCrypt = FieldCrypt.of(entityManager.getEntityManagerFactory());
            Object value = invocation.getArguments()[0];
            if (!entityManager.isJoinedToTransaction()) {
                // Spring's shared EntityManager outside a transaction has no session to lend (it would unwrap one of
                // an entity manager it closes right after): a session of the call's own, as Spring Data uses for a
                // derived query there (the entities come back detached).
                return entityManager
                        .getEntityManagerFactory()
                        .unwrap(org.hibernate.SessionFactory.class)
                        .fromSession(s ->
                                adapt(fieldCrypt.findBy(s, repository.getDomainType(), plan.handle(), value), method));
            }
            return adapt(
                    fieldCrypt.findBy(
                            entityManager.unwrap(Session.class), repository.getDomainType(), plan.handle(), value),
                    method);
        }

        private Plan plan(Method method) {
            if (!repository.isQueryMethod(method) || declaresItsQuery(method)) {
                // A declared query (@Query, @NativeQuery, a named query) runs as written: it is checked, and refused
                // on a truncated handle, when compiled.
                return Plan.NONE;
            }
            PartTree tree;
            try {
                tree = new PartTree(method.getName(), repository.getDomainType());
            } catch (RuntimeException notDerived) {
                return Plan.NONE;
            }
            FieldCrypt fieldCrypt = FieldCrypt.of(entityManager.getEntityManagerFactory());
            List<Part> parts = tree.getParts().toList();
            Part truncated = parts.stream()
                    .filter(p -> fieldCrypt.isTruncatedBlindIndex(
                            repository.getDomainType(), p.getProperty().getSegment()))
                    .findFirst()
                    .orElse(null);
            if (truncated == null) {
                return Plan.NONE;
            }
            boolean simple = parts.size() == 1
                    && truncated.getType() == Part.Type.SIMPLE_PROPERTY
                    && truncated.getProperty().getLeafProperty().equals(truncated.getProperty())
                    && truncated.shouldIgnoreCase() == Part.IgnoreCaseType.NEVER
                    && !tree.isDelete()
                    && !tree.isLimiting()
                    && !tree.isDistinct()
                    && tree.getSort().isUnsorted()
                    && method.getParameterCount() == 1
                    && adaptable(method);
            if (!simple) {
                return new Plan(
                        null,
                        repository.getRepositoryInterface().getSimpleName() + "." + method.getName()
                                + " queries the truncated blind index "
                                + truncated.getProperty().getSegment() + ", which"
                                + " answers only 'find/exists/count...By"
                                + capitalized(truncated.getProperty().getSegment())
                                + "(value)' returning a list, collection, stream, Optional, entity, boolean or count: its"
                                + " matches are checked against the decrypted source one by one");
            }
            return new Plan(truncated.getProperty().getSegment(), null);
        }

        private Object adapt(List<?> found, Method method) {
            Class<?> type = method.getReturnType();
            if (type == boolean.class || type == Boolean.class) {
                return !found.isEmpty();
            }
            if (type == long.class || type == Long.class) {
                return (long) found.size();
            }
            if (type == int.class || type == Integer.class) {
                return found.size();
            }
            if (type == Stream.class) {
                return found.stream();
            }
            if (type.isAssignableFrom(List.class)) {
                return found;
            }
            if (found.size() > 1) {
                throw new IncorrectResultSizeDataAccessException(1, found.size());
            }
            Object single = found.isEmpty() ? null : found.get(0);
            return type == Optional.class ? Optional.ofNullable(single) : single;
        }

        /** Whether the method's query is written out, so that Spring Data would not derive it from the name. */
        private boolean declaresItsQuery(Method method) {
            if (AnnotatedElementUtils.hasAnnotation(method, org.springframework.data.jpa.repository.Query.class)
                    || AnnotatedElementUtils.hasAnnotation(
                            method, org.springframework.data.jpa.repository.NativeQuery.class)) {
                return true;
            }
            String name = repository.getDomainType().getSimpleName() + "." + method.getName();
            var named = entityManager
                    .getEntityManagerFactory()
                    .unwrap(org.hibernate.engine.spi.SessionFactoryImplementor.class)
                    .getQueryEngine()
                    .getNamedObjectRepository();
            return named.getSqmQueryMemento(name) != null || named.getNativeQueryMemento(name) != null;
        }

        /** Whether the method returns entities of the domain type (not a projection), or a boolean or a count. */
        private boolean adaptable(Method method) {
            Class<?> type = method.getReturnType();
            if (type == Stream.class
                    || type == Optional.class
                    || Iterable.class.isAssignableFrom(type) && type.isAssignableFrom(List.class)) {
                Class<?> element =
                        ResolvableType.forMethodReturnType(method).getGeneric(0).resolve();
                return element != null
                        && element.isAssignableFrom(repository.getDomainType())
                        && element != Object.class;
            }
            return adaptable(type);
        }

        private boolean adaptable(Class<?> type) {
            return type == boolean.class
                    || type == Boolean.class
                    || type == long.class
                    || type == Long.class
                    || type == int.class
                    || type == Integer.class
                    || type != Object.class && type.isAssignableFrom(repository.getDomainType());
        }
    }

    private static String capitalized(String name) {
        return name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
