/**
 * Builds a scale-info portable type registry (the `lookup` of runtime metadata V14) one type at a
 * time. Types are de-duplicated by a key, so asking twice for `Vec<u16>` gives the same id.
 */

type Primitive = 'Bool' | 'Str' | 'U8' | 'U16' | 'U32' | 'U64' | 'U128';

export interface Field {
  name?: string;
  type: number;
  typeName?: string;
}

export interface VariantSpec {
  name: string;
  index: number;
  fields?: Field[];
  docs?: string[];
}

type TypeDef =
  | { Primitive: Primitive }
  | { Composite: { fields: FieldJson[] } }
  | { Variant: { variants: VariantJson[] } }
  | { Sequence: { type: number } }
  | { Array: { len: number; type: number } }
  | { Tuple: number[] }
  | { Compact: { type: number } };

interface FieldJson {
  name: string | null;
  type: number;
  typeName: string | null;
  docs: string[];
}

interface VariantJson {
  name: string;
  fields: FieldJson[];
  index: number;
  docs: string[];
}

export interface PortableTypeJson {
  id: number;
  type: {
    path: string[];
    params: Array<{ name: string; type: number | null }>;
    def: TypeDef;
    docs: string[];
  };
}

const fieldJson = ({ name, type, typeName }: Field): FieldJson => ({
  name: name ?? null,
  type,
  typeName: typeName ?? null,
  docs: [],
});

export class TypeBuilder {
  readonly types: PortableTypeJson[] = [];
  private readonly ids = new Map<string, number>();

  private add(
    key: string,
    def: TypeDef,
    path: string[] = [],
    params: Array<{ name: string; type: number | null }> = [],
  ): number {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.types.length;
    this.types.push({ id, type: { path, params, def, docs: [] } });
    this.ids.set(key, id);
    return id;
  }

  primitive(name: Primitive): number {
    return this.add(name, { Primitive: name });
  }

  get u8(): number {
    return this.primitive('U8');
  }
  get u16(): number {
    return this.primitive('U16');
  }
  get u32(): number {
    return this.primitive('U32');
  }
  get u64(): number {
    return this.primitive('U64');
  }
  get u128(): number {
    return this.primitive('U128');
  }
  get bool(): number {
    return this.primitive('Bool');
  }

  sequence(of: number): number {
    return this.add(`Vec<${of}>`, { Sequence: { type: of } });
  }

  array(len: number, of: number): number {
    return this.add(`[${of};${len}]`, { Array: { len, type: of } });
  }

  tuple(...of: number[]): number {
    return this.add(`(${of.join(',')})`, { Tuple: of });
  }

  compact(of: number): number {
    return this.add(`Compact<${of}>`, { Compact: { type: of } });
  }

  /** A named struct or newtype; `path` is its Rust path, which the api uses to recognise it. */
  composite(
    path: string[],
    fields: Field[],
    params: Array<{ name: string; type: number | null }> = [],
  ): number {
    return this.add(
      `${path.join('::')}<${params.map((p) => p.type).join(',')}>`,
      { Composite: { fields: fields.map(fieldJson) } },
      path,
      params,
    );
  }

  /** An enum; variants keep the indices given, which are what goes on the wire. */
  variant(
    path: string[],
    variants: VariantSpec[],
    params: Array<{ name: string; type: number | null }> = [],
  ): number {
    return this.add(
      `${path.join('::')}<${params.map((p) => p.type).join(',')}>`,
      {
        Variant: {
          variants: variants.map(({ name, index, fields = [], docs = [] }) => ({
            name,
            index,
            fields: fields.map(fieldJson),
            docs,
          })),
        },
      },
      path,
      params,
    );
  }

  option(of: number): number {
    return this.variant(
      ['Option'],
      [
        { name: 'None', index: 0 },
        { name: 'Some', index: 1, fields: [{ type: of }] },
      ],
      [{ name: 'T', type: of }],
    );
  }
}
