using System.Buffers.Binary;
using System.Text;

namespace HyperGan.ML.Engine.Native;

/// <summary>One symbol-version requirement of a shared library (an entry of its <c>.gnu.version_r</c> section).</summary>
/// <param name="File">The library the version is needed from, e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Name">The version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Index">The version index that <c>.gnu.version</c> entries use to point at this requirement.</param>
/// <param name="IsWeak">Whether the loader may continue when the version is absent (flag <c>VER_FLG_WEAK</c>).</param>
/// <param name="FlagsOffset">File offset of the entry's 16-bit flags field (where a patch writes).</param>
internal sealed record ElfVersionNeed(string File, string Name, int Index, bool IsWeak, long FlagsOffset);

/// <summary>
/// Reads the symbol-versioning tables of a 64-bit little-endian ELF shared library: the versions it needs
/// (<c>.gnu.version_r</c>), the versions it defines (<c>.gnu.version_d</c>), and which version each relocation
/// actually binds to. Enough to decide whether a version requirement can be marked weak safely.
/// </summary>
/// <remarks>
/// Why this exists: TorchSharp 0.107's <c>libLibTorchSharp.so</c> was linked with GCC 13 and declares a need for
/// <c>GLIBCXX_3.4.32</c>, which older libstdc++ (Debian 12: up to 3.4.30) lacks, although no relocation uses a
/// symbol of that version. Marking such an unused requirement weak lets the dynamic loader accept the library.
/// </remarks>
internal sealed class ElfSymbolVersions
{
    const uint ShtRela = 4, ShtDynamic = 6, ShtDynsym = 11, ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
    /// <summary>ELF flag VER_FLG_WEAK on a version requirement.</summary>
    public const ushort VerFlagWeak = 0x2;

    readonly byte[] _elf;

    /// <summary>Versions this library requires from other libraries.</summary>
    public IReadOnlyList<ElfVersionNeed> Needs { get; }
    /// <summary>Versions this library defines (what a library like libstdc++ provides).</summary>
    public IReadOnlySet<string> Definitions { get; }
    /// <summary>Libraries this one links against (its <c>DT_NEEDED</c> entries), in link order.</summary>
    public IReadOnlyList<string> NeededLibraries { get; }
    /// <summary>Version indices referenced by at least one dynamic relocation (symbols the loader will bind).</summary>
    public IReadOnlyDictionary<int, List<string>> SymbolsBoundByVersionIndex { get; }

    ElfSymbolVersions(byte[] elf)
    {
        _elf = elf;
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new NotSupportedException("Only 64-bit little-endian ELF files are supported.");
        var sections = ReadSections();
        NeededLibraries = ReadNeededLibraries(sections);
        Needs = ReadNeeds(sections);
        Definitions = ReadDefinitions(sections);
        SymbolsBoundByVersionIndex = ReadRelocationVersions(sections);
    }

    /// <summary>Parses the ELF file at <paramref name="path"/>.</summary>
    public static ElfSymbolVersions Read(string path) => new(File.ReadAllBytes(path));

    /// <summary>Parses an ELF image already in memory.</summary>
    public static ElfSymbolVersions Parse(byte[] elf) => new(elf);

    /// <summary>
    /// Returns a copy of the file with the given requirements marked weak. Nothing else changes
    /// (same size, same hashes), so the patched copy differs from the original only in those flag bits.
    /// </summary>
    public byte[] WithWeakNeeds(IEnumerable<ElfVersionNeed> needs)
    {
        var copy = (byte[])_elf.Clone();
        foreach (var need in needs)
        {
            var span = copy.AsSpan((int)need.FlagsOffset, 2);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span) | VerFlagWeak));
        }
        return copy;
    }

    record struct Section(uint Type, long Offset, long Size, int Link, long EntrySize);

    ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(_elf.AsSpan((int)at, 2));
    uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(_elf.AsSpan((int)at, 4));
    ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(_elf.AsSpan((int)at, 8));

    string CString(long at)
    {
        int end = (int)at;
        while (_elf[end] != 0) end++;
        return Encoding.ASCII.GetString(_elf, (int)at, end - (int)at);
    }

    List<Section> ReadSections()
    {
        long shoff = (long)U64(0x28);
        int shentsize = U16(0x3A), shnum = U16(0x3C);
        if (shoff <= 0 || shnum == 0)
            throw new InvalidDataException("The ELF file has no section headers (stripped); its versions cannot be read.");
        var list = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            list.Add(new Section(U32(h + 4), (long)U64(h + 0x18), (long)U64(h + 0x20), (int)U32(h + 0x28), (long)U64(h + 0x38)));
        }
        return list;
    }

    List<string> ReadNeededLibraries(List<Section> sections)
    {
        var result = new List<string>();
        foreach (var s in sections.Where(s => s.Type == ShtDynamic))
        {
            long strtab = sections[s.Link].Offset;
            for (long e = s.Offset; e < s.Offset + s.Size; e += 16)
            {
                ulong tag = U64(e);
                if (tag == 0) break;          // DT_NULL ends the table
                if (tag == 1) result.Add(CString(strtab + (long)U64(e + 8))); // DT_NEEDED
            }
        }
        return result;
    }

    List<ElfVersionNeed> ReadNeeds(List<Section> sections)
    {
        var result = new List<ElfVersionNeed>();
        foreach (var s in sections.Where(s => s.Type == ShtGnuVerneed))
        {
            long strtab = sections[s.Link].Offset;
            long vn = s.Offset;
            while (true)
            {
                int cnt = U16(vn + 2);
                string file = CString(strtab + U32(vn + 4));
                long aux = vn + U32(vn + 8);
                for (int i = 0; i < cnt; i++)
                {
                    ushort flags = U16(aux + 4);
                    int index = U16(aux + 6) & 0x7fff;
                    string name = CString(strtab + U32(aux + 8));
                    result.Add(new ElfVersionNeed(file, name, index, (flags & VerFlagWeak) != 0, aux + 4));
                    uint nextAux = U32(aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(vn + 12);
                if (next == 0) break;
                vn += next;
            }
        }
        return result;
    }

    HashSet<string> ReadDefinitions(List<Section> sections)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in sections.Where(s => s.Type == ShtGnuVerdef))
        {
            long strtab = sections[s.Link].Offset;
            long vd = s.Offset;
            while (true)
            {
                long aux = vd + U32(vd + 12);
                result.Add(CString(strtab + U32(aux))); // the first aux names the version itself; later ones are parents
                uint next = U32(vd + 16);
                if (next == 0) break;
                vd += next;
            }
        }
        return result;
    }

    Dictionary<int, List<string>> ReadRelocationVersions(List<Section> sections)
    {
        var result = new Dictionary<int, List<string>>();
        int dynsymIndex = sections.FindIndex(s => s.Type == ShtDynsym);
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        if (dynsymIndex < 0 || versym.Size == 0) return result;
        var dynsym = sections[dynsymIndex];
        long dynstr = sections[dynsym.Link].Offset;
        foreach (var rela in sections.Where(s => s.Type == ShtRela && s.Link == dynsymIndex))
        {
            for (long r = rela.Offset; r < rela.Offset + rela.Size; r += 24)
            {
                long sym = (long)(U64(r + 8) >> 32);
                if (sym == 0) continue;
                int version = U16(versym.Offset + 2 * sym) & 0x7fff;
                string name = CString(dynstr + U32(dynsym.Offset + sym * 24));
                if (!result.TryGetValue(version, out var names)) result[version] = names = new List<string>();
                names.Add(name);
            }
        }
        return result;
    }
}
