// Validates dashboard JSON against the Grafana foundation SDK's TypeScript types, read with the TypeScript
// compiler: every property must exist in the SDK's type (no typo survives), every required one must be there,
// and every value must have the type, literal or enum member the SDK declares. The SDK ships no JSON schema;
// its types are generated from Grafana's own schemas, so they are the closest thing to one.

import { fileURLToPath } from 'node:url';

import ts from 'typescript';

import type { SdkModel } from './sdk-model.ts';

const MODEL_FILE = fileURLToPath(new URL('./sdk-model.ts', import.meta.url));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SdkValidator {
  private readonly checker: ts.TypeChecker;
  private readonly model: ts.Type;

  constructor() {
    const program = ts.createProgram({
      rootNames: [MODEL_FILE],
      options: {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2024,
        types: [],
      },
    });
    this.checker = program.getTypeChecker();
    const source = program.getSourceFile(MODEL_FILE);
    const declaration = source?.statements.find(
      (statement): statement is ts.InterfaceDeclaration =>
        ts.isInterfaceDeclaration(statement) && statement.name.text === 'SdkModel',
    );
    if (!declaration) throw new Error(`${MODEL_FILE}: no interface SdkModel`);
    this.model = this.checker.getTypeAtLocation(declaration.name);
  }

  /** Whether the SDK model has a type under this key (e.g. `options:timeseries`). */
  has(key: string): key is keyof SdkModel {
    return this.model.getProperty(key) !== undefined;
  }

  /** Errors of `value` against the SDK type under `key`, each naming its JSON path. */
  validate(value: unknown, key: keyof SdkModel, path: string = key): string[] {
    const symbol = this.model.getProperty(key);
    if (!symbol) throw new Error(`SdkModel has no ${key}`);
    return this.check(value, this.checker.getTypeOfSymbol(symbol), path);
  }

  /**
   * Errors of `value` against the type of one property of the SDK type under `key`, by a dotted name, as a
   * field-config override names it (`custom.cellOptions` of table's FieldConfig, `thresholds` of FieldConfig).
   */
  validateProperty(value: unknown, key: keyof SdkModel, property: string, path: string): string[] {
    const symbol = this.model.getProperty(key);
    if (!symbol) throw new Error(`SdkModel has no ${key}`);
    let type = this.checker.getTypeOfSymbol(symbol);
    for (const name of property.split('.')) {
      const member = this.checker.getPropertyOfType(this.checker.getNonNullableType(type), name);
      if (!member) return [`${path}: no property ${property} in ${key}`];
      type = this.checker.getTypeOfSymbol(member);
    }
    return this.check(value, type, path);
  }

  private isFunction(type: ts.Type): boolean {
    return type.getCallSignatures().length > 0;
  }

  private check(value: unknown, type: ts.Type, path: string): string[] {
    const flags = type.getFlags();
    if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
    if (type.isUnion()) {
      // `undefined` is in the union of every optional property: JSON has no undefined, so skip it.
      const members = type.types.filter((member) => !(member.getFlags() & ts.TypeFlags.Undefined));
      if (members.length === 1 && members[0]) return this.check(value, members[0], path);
      if (members.every((member) => member.isLiteral() || member.getFlags() & ts.TypeFlags.BooleanLiteral)) {
        const ok = members.some((member) => this.check(value, member, path).length === 0);
        return ok
          ? []
          : [`${path}: ${JSON.stringify(value)} is not one of ${this.checker.typeToString(type)}`];
      }
      let best: string[] | undefined;
      for (const member of members) {
        const errors = this.check(value, member, path);
        if (errors.length === 0) return [];
        if (!best || errors.length < best.length) best = errors;
      }
      return best ?? [`${path}: matches no member of ${this.checker.typeToString(type)}`];
    }
    const expected = this.checker.typeToString(type);
    const mismatch = [`${path}: ${JSON.stringify(value)} is not ${expected}`];
    if (value === null) return flags & ts.TypeFlags.Null ? [] : mismatch;
    if (type.isStringLiteral() || type.isNumberLiteral()) return value === type.value ? [] : mismatch;
    if (flags & ts.TypeFlags.BooleanLiteral) {
      return value === (this.checker.typeToString(type) === 'true') ? [] : mismatch;
    }
    if (flags & ts.TypeFlags.String) return typeof value === 'string' ? [] : mismatch;
    if (flags & ts.TypeFlags.Number) return typeof value === 'number' ? [] : mismatch;
    if (flags & ts.TypeFlags.Boolean) return typeof value === 'boolean' ? [] : mismatch;
    if (flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Never)) return mismatch;
    if (this.checker.isArrayType(type)) {
      if (!Array.isArray(value)) return mismatch;
      const [element] = this.checker.getTypeArguments(type as ts.TypeReference);
      if (!element) return [];
      return value.flatMap((item, index) => this.check(item, element, `${path}[${String(index)}]`));
    }
    if (flags & ts.TypeFlags.Object || type.isIntersection()) {
      if (!isRecord(value)) return mismatch;
      const errors: string[] = [];
      const stringIndex = this.checker.getIndexTypeOfType(type, ts.IndexKind.String);
      for (const [name, child] of Object.entries(value)) {
        const property = this.checker.getPropertyOfType(type, name);
        const childType = property ? this.checker.getTypeOfSymbol(property) : stringIndex;
        if (!childType) {
          errors.push(`${path}.${name}: no such property in ${expected}`);
        } else if (this.isFunction(childType)) {
          errors.push(`${path}.${name}: a method of ${expected}, not data`);
        } else {
          errors.push(...this.check(child, childType, `${path}.${name}`));
        }
      }
      for (const property of this.checker.getPropertiesOfType(type)) {
        const optional = (property.getFlags() & ts.SymbolFlags.Optional) !== 0;
        if (optional || property.name in value) continue;
        if (this.isFunction(this.checker.getTypeOfSymbol(property))) continue; // cog's variant marker methods
        errors.push(`${path}.${property.name}: required by ${expected}, missing`);
      }
      return errors;
    }
    return [`${path}: cannot check against ${expected}`];
  }
}

/** Errors of one panel's field-config overrides: each property's value against the type its id names. */
function overrideErrors(panel: Record<string, unknown>, where: string, validator: SdkValidator): string[] {
  const type = String(panel.type);
  const overrides =
    isRecord(panel.fieldConfig) && Array.isArray(panel.fieldConfig.overrides)
      ? panel.fieldConfig.overrides
      : [];
  return (overrides as unknown[]).flatMap((override, index) => {
    const properties = isRecord(override) && Array.isArray(override.properties) ? override.properties : [];
    return (properties as unknown[]).flatMap((property, propertyIndex) => {
      const path = `${where}.fieldConfig.overrides[${String(index)}].properties[${String(propertyIndex)}]`;
      if (!isRecord(property) || typeof property.id !== 'string') return [`${path}: no id`];
      const id = property.id;
      if (!id.startsWith('custom.'))
        return validator.validateProperty(property.value, 'fieldConfig', id, path);
      const key = `custom:${type}`;
      if (!validator.has(key))
        return [`${path}: no SDK type for panel type ${type} (grafana/src/sdk-model.ts)`];
      return validator.validateProperty(property.value, key, id.slice('custom.'.length), `${path} (${id})`);
    });
  });
}

/**
 * Validates a classic dashboard JSON: the dashboard against the SDK's Dashboard, each target against its
 * datasource's query type, each panel's options and custom field config against its panel plugin's types, and
 * each field-config override's values against the field-config property they set.
 */
export function validateDashboard(json: unknown, validator = new SdkValidator()): string[] {
  if (!isRecord(json)) return ['dashboard: not an object'];
  const errors: string[] = [];
  const panels = Array.isArray(json.panels) ? (json.panels as unknown[]) : [];
  // The SDK types targets as an opaque Dataquery variant: check them against the concrete query types below.
  const withoutTargets = {
    ...json,
    panels: panels.map((panel) => (isRecord(panel) ? { ...panel, targets: undefined } : panel)),
  };
  errors.push(...validator.validate(JSON.parse(JSON.stringify(withoutTargets)), 'dashboard'));
  panels.forEach((panel, index) => {
    if (!isRecord(panel) || panel.type === 'row') return;
    const where = `dashboard.panels[${String(index)}]`;
    const type = String(panel.type);
    const defaults =
      isRecord(panel.fieldConfig) && isRecord(panel.fieldConfig.defaults) ? panel.fieldConfig.defaults : {};
    for (const [part, value, path] of [
      ['options', panel.options, `${where}.options`],
      ['custom', defaults.custom, `${where}.fieldConfig.defaults.custom`],
    ] as const) {
      const key = `${part}:${type}`;
      if (value === undefined) continue;
      if (validator.has(key)) errors.push(...validator.validate(value, key, path));
      else errors.push(`${path}: no SDK type for panel type ${type} (grafana/src/sdk-model.ts)`);
    }
    errors.push(...overrideErrors(panel, where, validator));
    const targets = Array.isArray(panel.targets) ? (panel.targets as unknown[]) : [];
    targets.forEach((target, targetIndex) => {
      const datasource = isRecord(target) && isRecord(target.datasource) ? target.datasource.type : undefined;
      const key = `query:${String(datasource)}`;
      const targetPath = `${where}.targets[${String(targetIndex)}]`;
      if (!validator.has(key))
        errors.push(`${targetPath}: no SDK query type for datasource type ${String(datasource)}`);
      else errors.push(...validator.validate(target, key, targetPath));
    });
  });
  return errors;
}
