using Paliad.Domain.CalDav;
using Paliad.Domain.Common;

namespace Paliad.Domain.Tests.Common;

public sealed class WordsTests
{
    [Test]
    public void Binding_scopes_are_the_snake_case_words_of_the_design()
    {
        Assert.That(Words.All<BindingScope>(), Is.EqualTo(new[] { "all_visible", "personal_only", "project", "client", "litigation", "patent", "case" }));
    }

    [Test]
    public void Words_parse_back_to_their_value_and_nothing_else()
    {
        Assert.That(Words.Parse<BindingScope>("personal_only"), Is.EqualTo(BindingScope.PersonalOnly));
        Assert.That(Words.TryParse<BindingScope>("PersonalOnly", out _), Is.False);
        Assert.That(Words.TryParse<BindingScope>(null, out _), Is.False);
    }

    [Test]
    public void The_sql_list_quotes_every_word()
    {
        Assert.That(Words.SqlList<SyncLogStatus>(), Is.EqualTo("'ok', 'partial', 'error'"));
    }

    [Test]
    public void Parsing_an_unknown_word_is_refused_naming_the_word_and_the_enum()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Words.Parse<BindingScope>("everything"));

        Assert.That(error!.ParamName, Is.EqualTo("word"));
        Assert.That(error.Message, Does.Contain("'everything' is not a BindingScope word"));
    }
}
