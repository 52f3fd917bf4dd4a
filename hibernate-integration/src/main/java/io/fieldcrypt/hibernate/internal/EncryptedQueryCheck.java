package io.fieldcrypt.hibernate.internal;

import io.fieldcrypt.FieldCryptException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.hibernate.metamodel.MappingMetamodel;
import org.hibernate.metamodel.mapping.AttributeMapping;
import org.hibernate.metamodel.mapping.BasicValuedModelPart;
import org.hibernate.metamodel.mapping.EmbeddableMappingType;
import org.hibernate.metamodel.mapping.EmbeddableValuedModelPart;
import org.hibernate.metamodel.mapping.ManagedMappingType;
import org.hibernate.metamodel.mapping.ModelPart;
import org.hibernate.metamodel.model.domain.EmbeddableDomainType;
import org.hibernate.metamodel.model.domain.EntityDomainType;
import org.hibernate.query.sqm.ComparisonOperator;
import org.hibernate.query.sqm.spi.BaseSemanticQueryWalker;
import org.hibernate.query.sqm.tree.SqmStatement;
import org.hibernate.query.sqm.tree.cte.SqmCteStatement;
import org.hibernate.query.sqm.tree.domain.SqmBasicValuedSimplePath;
import org.hibernate.query.sqm.tree.domain.SqmDerivedRoot;
import org.hibernate.query.sqm.tree.domain.SqmEmbeddedValuedSimplePath;
import org.hibernate.query.sqm.tree.domain.SqmPath;
import org.hibernate.query.sqm.tree.expression.JpaCriteriaParameter;
import org.hibernate.query.sqm.tree.expression.SqmAliasedNodeRef;
import org.hibernate.query.sqm.tree.expression.SqmExpression;
import org.hibernate.query.sqm.tree.expression.SqmFunction;
import org.hibernate.query.sqm.tree.expression.SqmLiteral;
import org.hibernate.query.sqm.tree.expression.SqmNamedParameter;
import org.hibernate.query.sqm.tree.expression.SqmParameter;
import org.hibernate.query.sqm.tree.expression.SqmPositionalParameter;
import org.hibernate.query.sqm.tree.from.SqmDerivedJoin;
import org.hibernate.query.sqm.tree.from.SqmFromClause;
import org.hibernate.query.sqm.tree.from.SqmRoot;
import org.hibernate.query.sqm.tree.insert.SqmInsertSelectStatement;
import org.hibernate.query.sqm.tree.insert.SqmInsertValuesStatement;
import org.hibernate.query.sqm.tree.predicate.SqmComparisonPredicate;
import org.hibernate.query.sqm.tree.predicate.SqmInListPredicate;
import org.hibernate.query.sqm.tree.predicate.SqmNullnessPredicate;
import org.hibernate.query.sqm.tree.predicate.SqmPredicate;
import org.hibernate.query.sqm.tree.predicate.SqmWhereClause;
import org.hibernate.query.sqm.tree.select.SqmDynamicInstantiation;
import org.hibernate.query.sqm.tree.select.SqmJpaCompoundSelection;
import org.hibernate.query.sqm.tree.select.SqmOrderByClause;
import org.hibernate.query.sqm.tree.select.SqmQueryGroup;
import org.hibernate.query.sqm.tree.select.SqmQuerySpec;
import org.hibernate.query.sqm.tree.select.SqmSelectClause;
import org.hibernate.query.sqm.tree.select.SqmSelectableNode;
import org.hibernate.query.sqm.tree.select.SqmSelection;
import org.hibernate.query.sqm.tree.select.SqmSortSpecification;
import org.hibernate.query.sqm.tree.select.SqmSubQuery;
import org.hibernate.query.sqm.tree.update.SqmSetClause;
import org.hibernate.type.descriptor.converter.spi.JpaAttributeConverter;

/**
 * Refuses, when a query is compiled and before any SQL exists, every use of an encrypted attribute that the database
 * would have to evaluate on the stored value: the column holds ciphertext bound to each row (and is read together
 * with the row's key), so a comparison, ordering, grouping, {@code distinct}, function or aggregate over it would
 * silently compute on ciphertext, and a parameter or a bulk update would have to put the plaintext into SQL.
 *
 * <p>Allowed: selecting the attribute in the main query (alone, in a tuple, in a constructor expression) and testing
 * it with {@code is [not] null}. Everything else that reaches the attribute is refused with a
 * {@link FieldCryptException} naming it and what to do instead.
 */
final class EncryptedQueryCheck {

    private final MappingMetamodel metamodel;

    private EncryptedQueryCheck(MappingMetamodel metamodel) {
        this.metamodel = metamodel;
    }

    /**
     * @param statement a statement about to be translated to SQL
     * @param metamodel the factory's mapping model, which tells the encrypted attributes by their converter
     * @throws FieldCryptException if the statement uses an encrypted attribute where the database would evaluate it
     */
    static void check(SqmStatement<?> statement, MappingMetamodel metamodel) {
        Walker walker = new EncryptedQueryCheck(metamodel).new Walker();
        statement.accept(walker);
        walker.checkParameterUses();
    }

    private final class Walker extends BaseSemanticQueryWalker {

        /** The clause the walk is in, for the message: innermost last. */
        private final Deque<String> clause = new ArrayDeque<>();

        /**
         * The query parts the walk is nested in (a subquery, a derived table, a CTE, a set operation, the query of
         * an {@code insert ... select}): innermost last. Empty in the main query, the only place where selecting
         * an encrypted attribute is allowed, because only there does the result reach the application to be opened.
         */
        private final Deque<String> nesting = new ArrayDeque<>();

        private final Deque<SqmQuerySpec<?>> specs = new ArrayDeque<>();

        /**
         * Every parameter compared with a blind index handle, with the handles it is compared with, and every other
         * parameter use. Hibernate binds all uses of a parameter with one type: a parameter compared with a handle
         * and used anywhere else would be bound without hashing (its plaintext reaching SQL), or hashed for the wrong
         * index.
         */
        private final Map<Object, Set<IndexConverter>> handleUses = new HashMap<>();

        private final Set<Object> otherUses = new HashSet<>();

        private void handleUse(SqmExpression<?> parameter, IndexConverter handle) {
            handleUses
                    .computeIfAbsent(parameterKey(parameter), k -> new HashSet<>())
                    .add(handle);
        }

        /**
         * Refuses a truncated handle compared outside fieldcrypt's lookup, a parameter compared with a handle and also
         * used elsewhere, or with handles of other indexes.
         */
        void checkParameterUses() {
            if (!truncatedUses.isEmpty() && !lookupMark) {
                throw IndexLookup.refusal(truncatedUses.get(0));
            }
            handleUses.forEach((parameter, handles) -> {
                IndexConverter first = handles.iterator().next();
                boolean oneIndex = handles.stream().allMatch(first::sameIndexAs);
                if (otherUses.contains(parameter) || !oneIndex) {
                    throw new FieldCryptException("query refused: the parameter " + parameterName(parameter)
                            + " is compared with the @BlindIndex "
                            + handles.stream()
                                    .map(IndexConverter::label)
                                    .sorted()
                                    .toList()
                            + " and also used "
                            + (oneIndex ? "elsewhere" : "with another index")
                            + ". Hibernate binds a parameter once, so it would either reach SQL in plain or be"
                            + " hashed for the wrong index: bind the value as a separate parameter for each blind"
                            + " index comparison");
                }
            });
        }

        @Override
        public Object visitNamedParameterExpression(SqmNamedParameter<?> parameter) {
            otherUses.add(parameterKey(parameter));
            return parameter;
        }

        @Override
        public Object visitPositionalParameterExpression(SqmPositionalParameter<?> parameter) {
            otherUses.add(parameterKey(parameter));
            return parameter;
        }

        @Override
        public Object visitJpaCriteriaParameter(JpaCriteriaParameter<?> parameter) {
            otherUses.add(parameterKey(parameter));
            return parameter;
        }

        @Override
        public Object visitQuerySpec(SqmQuerySpec<?> querySpec) {
            specs.push(querySpec);
            try {
                return super.visitQuerySpec(querySpec);
            } finally {
                specs.pop();
            }
        }

        /** Set just before the walk descends into the subquery of a derived table, to name it so. */
        private boolean derivedTableNext;

        @Override
        public Object visitSubQueryExpression(SqmSubQuery<?> subquery) {
            String what = derivedTableNext ? "a derived table" : "a subquery";
            derivedTableNext = false;
            return nested(what, () -> super.visitSubQueryExpression(subquery));
        }

        @Override
        public Object visitCteStatement(SqmCteStatement<?> cte) {
            return nested("a CTE", () -> super.visitCteStatement(cte));
        }

        @Override
        protected void consumeFromClauseRoot(SqmRoot<?> root) {
            derivedTableNext = root instanceof SqmDerivedRoot<?>;
            super.consumeFromClauseRoot(root);
        }

        @Override
        protected void consumeDerivedJoin(SqmDerivedJoin<?> join, boolean transitive) {
            derivedTableNext = true;
            super.consumeDerivedJoin(join, transitive);
        }

        @Override
        public Object visitQueryGroup(SqmQueryGroup<?> group) {
            return nested("a set operation (union, intersect, except)", () -> super.visitQueryGroup(group));
        }

        @Override
        public Object visitInsertSelectStatement(SqmInsertSelectStatement<?> statement) {
            visitCteContainer(statement);
            within("the target of an insert", () -> {
                statement.getTarget().accept(this);
                statement.getInsertionTargetPaths().forEach(target -> target.accept(this));
                return statement;
            });
            nested("insert ... select", () -> statement.getSelectQueryPart().accept(this));
            if (statement.getConflictClause() != null) {
                within("the conflict clause of an insert", () -> visitConflictClause(statement.getConflictClause()));
            }
            return statement;
        }

        @Override
        public Object visitInsertValuesStatement(SqmInsertValuesStatement<?> statement) {
            return within("the target of an insert", () -> super.visitInsertValuesStatement(statement));
        }

        @Override
        public Object visitSelectClause(SqmSelectClause selectClause) {
            if (selectClause != null && selectClause.isDistinct()) {
                return within("select distinct", () -> super.visitSelectClause(selectClause));
            }
            return within("the select clause", () -> super.visitSelectClause(selectClause));
        }

        @Override
        public Object visitSelection(SqmSelection<?> selection) {
            return selectable(selection.getSelectableNode(), selection);
        }

        @Override
        public Object visitJpaCompoundSelection(SqmJpaCompoundSelection<?> selection) {
            for (SqmSelectableNode<?> item : selection.getSelectionItems()) {
                selectable(item, selection);
            }
            return selection;
        }

        @Override
        public Object visitDynamicInstantiation(SqmDynamicInstantiation<?> instantiation) {
            instantiation.getArguments().forEach(argument -> selectable(argument.getSelectableNode(), instantiation));
            return instantiation;
        }

        /**
         * A selected value: a bare encrypted attribute (or an embeddable holding one) is fine in the main query's
         * selection, which reaches the application and is opened there; anywhere else it is visited like any
         * expression.
         */
        private Object selectable(SqmSelectableNode<?> node, Object result) {
            if (node instanceof SqmBasicValuedSimplePath<?> path && indexHandle(path) != null) {
                refuseHandle(indexHandle(path), "selected");
            }
            boolean distinct =
                    !specs.isEmpty() && specs.peek().getSelectClause().isDistinct();
            if (bare(node) && nesting.isEmpty() && !distinct) {
                return result;
            }
            node.accept(this);
            return result;
        }

        private static boolean bare(SqmSelectableNode<?> node) {
            return node instanceof SqmBasicValuedSimplePath<?> || node instanceof SqmEmbeddedValuedSimplePath<?>;
        }

        /**
         * {@code handle = :parameter} (either way round), or two handles of one index: the only comparisons a blind
         * index answers. The parameter is hashed by the handle's converter.
         */
        @Override
        public Object visitComparisonPredicate(SqmComparisonPredicate predicate) {
            SqmExpression<?> left = predicate.getLeftHandExpression();
            SqmExpression<?> right = predicate.getRightHandExpression();
            if (left instanceof SqmLiteral<?> a
                    && right instanceof SqmLiteral<?> b
                    && IndexLookup.MARK.equals(a.getLiteralValue())
                    && IndexLookup.MARK.equals(b.getLiteralValue())
                    && nesting.isEmpty()) {
                lookupMark = true;
                return predicate;
            }
            IndexConverter leftHandle = indexHandle(left);
            IndexConverter rightHandle = indexHandle(right);
            if (leftHandle == null && rightHandle == null) {
                return super.visitComparisonPredicate(predicate);
            }
            IndexConverter handle = leftHandle != null ? leftHandle : rightHandle;
            refuseIfTruncated(leftHandle);
            refuseIfTruncated(rightHandle);
            if (predicate.getSqmOperator() != ComparisonOperator.EQUAL) {
                refuseHandle(
                        handle, "compared with " + predicate.getSqmOperator().sqlText());
            }
            boolean answered = leftHandle != null && rightHandle != null
                    ? leftHandle.sameIndexAs(rightHandle)
                    : (leftHandle != null ? right : left) instanceof SqmParameter<?>;
            if (!answered) {
                refuseHandle(handle, "compared with something other than a parameter");
            }
            if (leftHandle == null || rightHandle == null) {
                handleUse(leftHandle != null ? right : left, handle);
            }
            return predicate;
        }

        /** {@code handle in (:a, :b)} or {@code handle in :collection}: each parameter is hashed. */
        @Override
        public Object visitInListPredicate(SqmInListPredicate<?> predicate) {
            IndexConverter handle = indexHandle(predicate.getTestExpression());
            if (handle == null) {
                return super.visitInListPredicate(predicate);
            }
            refuseIfTruncated(handle);
            for (SqmExpression<?> element : predicate.getListExpressions()) {
                if (!(element instanceof SqmParameter<?>)) {
                    refuseHandle(handle, "compared with something other than a parameter in an 'in' list");
                }
                handleUse(element, handle);
            }
            return predicate;
        }

        @Override
        public Object visitIsNullPredicate(SqmNullnessPredicate predicate) {
            if (predicate.getExpression() instanceof SqmParameter<?>) {
                // ':value is null' tests the bound value, whatever its type: neither a use in plain nor hashed.
                return predicate;
            }
            if (predicate.getExpression() instanceof SqmBasicValuedSimplePath<?>
                    || predicate.getExpression() instanceof SqmEmbeddedValuedSimplePath<?>) {
                return predicate;
            }
            return super.visitIsNullPredicate(predicate);
        }

        @Override
        public Object visitFromClause(SqmFromClause fromClause) {
            return within("a join condition", () -> super.visitFromClause(fromClause));
        }

        @Override
        public Object visitWhereClause(SqmWhereClause whereClause) {
            return within("the where clause", () -> super.visitWhereClause(whereClause));
        }

        @Override
        public Object visitSetClause(SqmSetClause setClause) {
            return within("the set clause of a bulk update", () -> super.visitSetClause(setClause));
        }

        @Override
        public Object visitOrderByClause(SqmOrderByClause orderByClause) {
            return within("order by", () -> super.visitOrderByClause(orderByClause));
        }

        @Override
        public Object visitGroupByClause(List<SqmExpression<?>> expressions) {
            if (expressions != null) {
                within("group by", () -> {
                    expressions.forEach(this::groupedOrSorted);
                    return expressions;
                });
            }
            return expressions;
        }

        @Override
        public Object visitSortSpecification(SqmSortSpecification sort) {
            groupedOrSorted(sort.getSortExpression());
            return sort;
        }

        /**
         * A grouping or ordering expression; {@code order by 1}, {@code group by 1} or a selection's alias is
         * whatever that selection is (Hibernate's walker cannot visit such a reference itself).
         */
        private void groupedOrSorted(SqmExpression<?> expression) {
            if (!(expression instanceof SqmAliasedNodeRef reference)) {
                expression.accept(this);
                return;
            }
            if (!specs.isEmpty()) {
                List<SqmSelection<?>> selections =
                        specs.peek().getSelectClause().getSelections();
                int position = reference.getPosition() - 1;
                if (position >= 0 && position < selections.size()) {
                    selections.get(position).getSelectableNode().accept(this);
                }
            }
        }

        @Override
        public Object visitHavingClause(SqmPredicate predicate) {
            return within("having", () -> super.visitHavingClause(predicate));
        }

        @Override
        public Object visitFunction(SqmFunction<?> function) {
            return within("the function " + function.getFunctionName() + "()", () -> super.visitFunction(function));
        }

        @Override
        public Object visitBasicValuedPath(SqmBasicValuedSimplePath<?> path) {
            String attribute = encryptedAttribute(path);
            if (attribute != null) {
                refuse(attribute, handlesOf(path));
            }
            IndexConverter handle = indexHandle(path);
            if (handle != null) {
                refuseHandle(handle, "used in " + (clause.isEmpty() ? "an expression" : clause.peekLast()));
            }
            return path;
        }

        /** Truncated handles compared in this statement: answered only in fieldcrypt's own lookup. */
        private final List<IndexConverter> truncatedUses = new ArrayList<>();

        /** Whether the statement carries the mark of fieldcrypt's lookup ({@link IndexLookup#MARK}). */
        private boolean lookupMark;

        private void refuseIfTruncated(IndexConverter handle) {
            if (handle != null && handle.truncated()) {
                truncatedUses.add(handle);
            }
        }

        private void refuseHandle(IndexConverter handle, String how) {
            throw new FieldCryptException("query refused: " + handle.label() + " is a @BlindIndex and is " + how
                    + (nesting.isEmpty() ? "" : " in " + nesting.peekLast())
                    + ". Its column holds a keyed hash of " + handle.sourceName() + ", which only answers equality:"
                    + " compare it with a parameter ('" + handle.label() + " = :value', 'in (:values)', a Criteria"
                    + " cb.parameter or cb.equal with values bound as parameters, a Spring Data findBy...), or test it"
                    + " with 'is null'. It reads as null, so select "
                    + handle.sourceName() + " instead");
        }

        /** An embeddable compared, ordered or grouped as a whole is compared column by column, its ciphertext too. */
        @Override
        public Object visitEmbeddableValuedPath(SqmEmbeddedValuedSimplePath<?> path) {
            String attribute = encryptedComponent(path);
            if (attribute != null) {
                refuse(attribute, List.of());
            }
            return path;
        }

        private void refuse(String attribute, List<String> handles) {
            String where = clause.isEmpty() ? "a comparison" : clause.peekLast();
            throw new FieldCryptException("query refused: " + attribute + " is @Encrypted and is used in " + where
                    + (nesting.isEmpty() ? "" : " of " + nesting.peekLast())
                    + ". Its column holds"
                    + " ciphertext bound to each row, so the database cannot compare, order, group, aggregate"
                    + " or pass it to a function, and a parameter would put the plaintext into SQL. Select it"
                    + " (alone, in a tuple or a constructor expression) and work on the plaintext in Java; only"
                    + " 'is null' and 'is not null' may test it"
                    + (handles.isEmpty()
                            ? ""
                            : "; to find rows by its value, compare its blind index " + String.join(" or ", handles)
                                    + " with a parameter instead"));
        }

        /** Visits with {@code where} as the innermost clause, for the message. */
        private Object within(String where, Supplier<Object> visit) {
            clause.addLast(where);
            try {
                return visit.get();
            } finally {
                clause.removeLast();
            }
        }

        /** Visits a nested query part, whose selections are evaluated by the database, not opened. */
        private Object nested(String what, Supplier<Object> visit) {
            nesting.addLast(what);
            try {
                return visit.get();
            } finally {
                nesting.removeLast();
            }
        }
    }

    /** What identifies a parameter across its uses: its name, its position, or the Criteria parameter itself. */
    private static Object parameterKey(SqmExpression<?> parameter) {
        if (parameter instanceof SqmParameter<?> p && p.getName() != null) {
            return ":" + p.getName();
        }
        if (parameter instanceof SqmParameter<?> p && p.getPosition() != null) {
            return "?" + p.getPosition();
        }
        return parameter;
    }

    private static String parameterName(Object key) {
        return key instanceof String name ? name : "(a Criteria parameter)";
    }

    /** @return the blind index handle {@code expression} is, or {@code null} */
    private IndexConverter indexHandle(SqmExpression<?> expression) {
        return expression instanceof SqmBasicValuedSimplePath<?> path
                        && converterOf(modelPart(path)) instanceof IndexConverter handle
                ? handle
                : null;
    }

    /** @return the {@code Entity.handle} labels of the blind indexes over the encrypted attribute {@code path} */
    private List<String> handlesOf(SqmPath<?> path) {
        if (!(path.getLhs() != null
                && path.getLhs().getReferencedPathSource().getPathType() instanceof EntityDomainType<?> entity)) {
            return List.of();
        }
        String source = path.getReferencedPathSource().getPathName();
        List<String> handles = new ArrayList<>();
        metamodel
                .getEntityDescriptor(entity.getHibernateEntityName())
                .visitSubParts(
                        part -> {
                            if (converterOf(part) instanceof IndexConverter handle
                                    && handle.sourceName().equals(source)) {
                                handles.add(handle.label());
                            }
                        },
                        null);
        return handles;
    }

    /**
     * @return {@code Entity.attribute} if {@code path} is an encrypted attribute of an entity or of an embeddable in
     *     it, else {@code null}
     */
    private String encryptedAttribute(SqmPath<?> path) {
        return label(modelPart(path));
    }

    /** @return {@code Entity.attribute} of the first encrypted attribute inside an embeddable path, or {@code null} */
    private String encryptedComponent(SqmPath<?> path) {
        return modelPart(path) instanceof EmbeddableValuedModelPart embedded ? firstEncrypted(embedded) : null;
    }

    private static String firstEncrypted(EmbeddableValuedModelPart embedded) {
        EmbeddableMappingType type = embedded.getEmbeddableTypeDescriptor();
        for (int i = 0; i < type.getNumberOfAttributeMappings(); i++) {
            AttributeMapping component = type.getAttributeMapping(i);
            String found =
                    component instanceof EmbeddableValuedModelPart nested ? firstEncrypted(nested) : label(component);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /** The mapped part a path of an entity (or of embeddables in one) resolves to, or {@code null}. */
    private ModelPart modelPart(SqmPath<?> path) {
        Deque<String> names = new ArrayDeque<>();
        names.push(path.getReferencedPathSource().getPathName());
        SqmPath<?> lhs = path.getLhs();
        while (lhs != null && lhs.getReferencedPathSource().getPathType() instanceof EmbeddableDomainType<?>) {
            names.push(lhs.getReferencedPathSource().getPathName());
            lhs = lhs.getLhs();
        }
        if (lhs == null || !(lhs.getReferencedPathSource().getPathType() instanceof EntityDomainType<?> entity)) {
            return null;
        }
        ManagedMappingType owner = metamodel.getEntityDescriptor(entity.getHibernateEntityName());
        ModelPart part = null;
        for (String name : names) {
            // findSubPart also searches subclasses: HQL resolves p.ssn on a superclass path to a subclass attribute.
            part = owner == null ? null : owner.findSubPart(name, null);
            owner = part instanceof EmbeddableValuedModelPart embedded ? embedded.getEmbeddableTypeDescriptor() : null;
        }
        return part;
    }

    private static String label(ModelPart part) {
        return converterOf(part) instanceof GuardConverter guard ? guard.label() : null;
    }

    /** @return the attribute converter instance mapped on {@code part} if it is a basic part, else {@code null} */
    private static Object converterOf(ModelPart part) {
        return part instanceof BasicValuedModelPart basic
                        && basic.getJdbcMapping().getValueConverter() instanceof JpaAttributeConverter<?, ?> converter
                ? converter.getConverterBean().getBeanInstance()
                : null;
    }
}
